package dev.marquee.ingest.features;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The stream consumer's own Redis connection (same client and settings as Spring's factory): commands are queued
 * without flushing and sent in one write, and results are not converted unless asked for. The consumer sends tens of
 * thousands of commands per batch; going through Spring's pipeline conversions cost it about half its time.
 * Used by the single consumer thread only.
 */
@Component
class ConsumerRedis {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final LettuceConnectionFactory factory;
    private StatefulRedisConnection<byte[], byte[]> connection;

    ConsumerRedis(LettuceConnectionFactory factory) {
        this.factory = factory;
    }

    /** A round trip: queue commands on {@link Round#redis()}, then {@link Round#run()} sends them and waits. */
    Round round() {
        return new Round(connection());
    }

    /**
     * The connection, opened on first use and again whenever it was closed: the factory is a lifecycle bean, and a
     * stopped and restarted factory (context stop/start) has a new client whose old connections are closed.
     */
    private synchronized StatefulRedisConnection<byte[], byte[]> connection() {
        if (connection == null || !connection.isOpen()) {
            connection = ((RedisClient) factory.getRequiredNativeClient()).connect(ByteArrayCodec.INSTANCE);
            connection.setAutoFlushCommands(false);
        }
        return connection;
    }

    @PreDestroy
    synchronized void close() {
        if (connection != null) {
            connection.close();
        }
    }

    static final class Round {
        private final StatefulRedisConnection<byte[], byte[]> connection;
        private final List<RedisFuture<?>> futures = new ArrayList<>();
        private final List<Consumer<Object>> handlers = new ArrayList<>();

        Round(StatefulRedisConnection<byte[], byte[]> connection) {
            this.connection = connection;
        }

        RedisAsyncCommands<byte[], byte[]> redis() {
            return connection.async();
        }

        /** Queues a command whose result goes to {@code handler} once the round ran. */
        <T> void read(RedisFuture<T> command, Consumer<T> handler) {
            futures.add(command);
            @SuppressWarnings("unchecked")
            Consumer<Object> h = (Consumer<Object>) handler;
            handlers.add(h);
        }

        /** Queues a command whose result only matters for failing the round. */
        void write(RedisFuture<?> command) {
            futures.add(command);
            handlers.add(null);
        }

        /** Sends everything queued in one flush, waits for every reply and hands results to their handlers. */
        void run() {
            connection.flushCommands();
            if (!LettuceFutures.awaitAll(TIMEOUT, futures.toArray(RedisFuture[]::new))) {
                throw new IllegalStateException("Redis did not answer within " + TIMEOUT);
            }
            for (int i = 0; i < futures.size(); i++) {
                if (handlers.get(i) != null) {
                    try {
                        handlers.get(i).accept(futures.get(i).get());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("Redis command failed", e.getCause());
                    }
                }
            }
        }
    }
}
