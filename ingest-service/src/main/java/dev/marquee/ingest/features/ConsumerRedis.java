package dev.marquee.ingest.features;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The stream consumer's own Redis connections (same client and settings as Spring's factory): reads are queued
 * without flushing and sent in one write, and results are not converted unless asked for. The consumer sends tens of
 * thousands of commands per batch; going through Spring's pipeline conversions cost it about half its time. The
 * consumer thread and the label flusher's thread read on a connection each; the write transactions of both go on a
 * socket of their own ({@link TransactionWriter}), encoded once as bytes ({@link RespWrites}), in the order submitted.
 */
@Component
class ConsumerRedis {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final LettuceConnectionFactory factory;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private StatefulRedisConnection<byte[], byte[]> flusherConnection;
    private TransactionWriter transactionWriter;

    ConsumerRedis(LettuceConnectionFactory factory) {
        this.factory = factory;
    }

    /**
     * A round trip on the reading connection: queue commands on {@link Round#redis()}, then {@link Round#run()} sends
     * them and waits. Writes never queue here (they go through {@link #transactions}), so reads do not wait behind
     * them; Redis may run a read before or after the writes in flight, and the caller accounts for both.
     */
    Round round() {
        return new Round(connection());
    }

    /** {@link #round()} for the label flusher's thread, on a connection of its own. */
    Round flusherRound() {
        return new Round(flusherConnection());
    }

    /**
     * Sends each of {@code transactions} as one {@code MULTI}/{@code EXEC} transaction, after everything sent this way
     * before, on a connection of their own ({@link TransactionWriter}); completes once all were applied, exceptionally
     * if one was not (after a failure each of them may or may not have been applied, each one all or nothing).
     */
    CompletableFuture<Void> transactions(List<RespWrites> transactions) {
        return transactionWriter().submit(transactions);
    }

    private synchronized TransactionWriter transactionWriter() {
        if (transactionWriter == null) {
            if (factory.isClusterAware() || factory.isRedisSentinelAware()) {
                throw new IllegalStateException("the stream consumer writes to a standalone Redis only");
            }
            RedisStandaloneConfiguration c = factory.getStandaloneConfiguration();
            transactionWriter = new TransactionWriter(new TransactionWriter.Endpoint(c.getHostName(), c.getPort(),
                    c.getDatabase(), c.getUsername(), c.getPassword().map(char[]::clone).orElse(null),
                    factory.isUseSsl(), factory.isVerifyPeer(), TIMEOUT));
        }
        return transactionWriter;
    }

    /**
     * The connection, opened on first use and again whenever it was closed: the factory is a lifecycle bean, and a
     * stopped and restarted factory (context stop/start) has a new client whose old connections are closed.
     */
    private synchronized StatefulRedisConnection<byte[], byte[]> connection() {
        if (connection == null || !connection.isOpen()) {
            connection = open();
        }
        return connection;
    }

    private synchronized StatefulRedisConnection<byte[], byte[]> flusherConnection() {
        if (flusherConnection == null || !flusherConnection.isOpen()) {
            flusherConnection = open();
        }
        return flusherConnection;
    }

    private StatefulRedisConnection<byte[], byte[]> open() {
        StatefulRedisConnection<byte[], byte[]> c =
                ((RedisClient) factory.getRequiredNativeClient()).connect(ByteArrayCodec.INSTANCE);
        c.setAutoFlushCommands(false);
        return c;
    }

    @PreDestroy
    synchronized void close() {
        if (transactionWriter != null) {
            transactionWriter.close();
        }
        if (connection != null) {
            connection.close();
        }
        if (flusherConnection != null) {
            flusherConnection.close();
        }
    }

    static final class Round {
        static final int MGET_KEYS = 1000;
        private final StatefulRedisConnection<byte[], byte[]> connection;
        private final List<CompletableFuture<?>> futures = new ArrayList<>();
        private final List<Consumer<Object>> handlers = new ArrayList<>();

        Round(StatefulRedisConnection<byte[], byte[]> connection) {
            this.connection = connection;
        }

        RedisAsyncCommands<byte[], byte[]> redis() {
            return connection.async();
        }

        /**
         * Queues the values of the keys of {@code owners} ({@code key} gives each one's), as {@code MGET}s of up to
         * {@value #MGET_KEYS} keys (a {@code GET} each cost Redis and this client several times more per key). Each
         * value ({@code null} if the key does not exist) is decoded by {@code decode} on the connection's I/O thread
         * as its {@code MGET}'s reply arrives, while the caller waits for the rest; {@code handler} gets each owner
         * with its decoded value on the caller's thread once the round ran.
         */
        <K, T> void values(List<K> owners, Function<K, byte[]> key, Function<byte[], T> decode,
                           BiConsumer<K, T> handler) {
            for (int from = 0; from < owners.size(); from += MGET_KEYS) {
                List<K> chunk = owners.subList(from, Math.min(owners.size(), from + MGET_KEYS));
                byte[][] keys = new byte[chunk.size()][];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = key.apply(chunk.get(i));
                }
                CompletableFuture<List<T>> decoded = redis().mget(keys).toCompletableFuture().thenApply(values -> {
                    List<T> out = new ArrayList<>(values.size());
                    for (var kv : values) {
                        out.add(decode.apply(kv.getValueOrElse(null)));
                    }
                    return out;
                });
                futures.add(decoded);
                handlers.add(values -> {
                    @SuppressWarnings("unchecked")
                    List<T> list = (List<T>) values;
                    for (int i = 0; i < chunk.size(); i++) {
                        handler.accept(chunk.get(i), list.get(i));
                    }
                });
            }
        }

        /** Queues a command whose result goes to {@code handler} once the round ran. */
        <T> void read(RedisFuture<T> command, Consumer<T> handler) {
            futures.add(command.toCompletableFuture());
            @SuppressWarnings("unchecked")
            Consumer<Object> h = (Consumer<Object>) handler;
            handlers.add(h);
        }

        /** Sends everything queued in one flush, waits for every reply and hands results to their handlers. */
        void run() {
            connection.flushCommands();
            try {
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Redis did not answer within " + TIMEOUT, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("Redis command failed", e.getCause());
            }
            for (int i = 0; i < futures.size(); i++) {
                if (handlers.get(i) != null) {
                    handlers.get(i).accept(futures.get(i).join());
                }
            }
        }
    }
}
