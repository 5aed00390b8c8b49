package dev.marquee.ingest.features;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import jakarta.annotation.PreDestroy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    private StatefulRedisConnection<byte[], byte[]> readConnection;

    ConsumerRedis(LettuceConnectionFactory factory) {
        this.factory = factory;
    }

    /** A round trip: queue commands on {@link Round#redis()}, then {@link Round#run()} sends them and waits. */
    Round round() {
        return new Round(connection());
    }

    /**
     * A round on the second connection, for the batch reads: they need not wait behind the writes queued on the
     * first one (Redis may run them before or after those; the caller accounts for both).
     */
    synchronized Round readRound() {
        if (readConnection == null || !readConnection.isOpen()) {
            readConnection = open();
        }
        return new Round(readConnection);
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

    private StatefulRedisConnection<byte[], byte[]> open() {
        StatefulRedisConnection<byte[], byte[]> c =
                ((RedisClient) factory.getRequiredNativeClient()).connect(ByteArrayCodec.INSTANCE);
        c.setAutoFlushCommands(false);
        return c;
    }

    @PreDestroy
    synchronized void close() {
        if (connection != null) {
            connection.close();
        }
        if (readConnection != null) {
            readConnection.close();
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

        /**
         * Queues {@code writes} as one Lua script call: atomic like MULTI/EXEC (nothing else runs in between, and a
         * write refused for lack of memory is refused before the first change), but one command and one reply instead
         * of one per write, which is most of what the consumer's client and Redis spent their time on.
         */
        void write(Writes writes) {
            if (writes.isEmpty()) {
                return;
            }
            int expected = writes.ops;
            read(connection.async().eval(Writes.SCRIPT, ScriptOutputType.INTEGER,
                    writes.keys.toArray(byte[][]::new), writes.args.toArray(byte[][]::new)), (Long ops) -> {
                        if (ops == null || ops != expected) {
                            throw new IllegalStateException("write script ran " + ops + " of " + expected + " ops");
                        }
                    });
        }

        /** Queues a command whose result only matters for failing the round. */
        void write(RedisFuture<?> command) {
            futures.add(command);
            handlers.add(null);
        }

        /**
         * Sends everything queued in one flush without waiting: the result completes once every reply is in and the
         * handlers ran (on Lettuce's thread), exceptionally if a command failed or Redis did not answer in time.
         * Commands sent later on this connection are executed after these (one connection, in order).
         */
        CompletableFuture<Void> runAsync() {
            connection.flushCommands();
            CompletableFuture<?>[] all = futures.stream().map(RedisFuture::toCompletableFuture)
                    .toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(all).orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(() -> {
                        for (int i = 0; i < futures.size(); i++) {
                            if (handlers.get(i) != null) {
                                handlers.get(i).accept(all[i].join());
                            }
                        }
                    });
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

    /**
     * Write commands collected for one script call ({@link Round#write(Writes)}). Each op is a command on one key,
     * called once or repeated over groups of arguments (one ZINCRBY per member of a set, say); keys travel as the
     * script's KEYS, everything else as ARGV: {@code command, args per call, calls, args...}.
     */
    static final class Writes {
        static final byte[] SCRIPT = ("""
                local k, a, n = 1, 1, #ARGV
                while a <= n do
                  local cmd, c, r = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
                  local key = KEYS[k]
                  k = k + 1
                  a = a + 3
                  for _ = 1, r do
                    redis.call(cmd, key, unpack(ARGV, a, a + c - 1))
                    a = a + c
                  end
                end
                return k - 1
                """).getBytes(StandardCharsets.UTF_8);
        /** Arguments per call at most (Lua's unpack has a stack limit of a few thousand values). */
        static final int MAX_ARGS = 1000;
        private static final byte[] ONE = ascii("1");

        private final List<byte[]> keys = new ArrayList<>();
        private final List<byte[]> args = new ArrayList<>();
        private int ops;

        /** {@code command key args...}, once. */
        Writes call(String command, byte[] key, byte[]... callArgs) {
            if (callArgs.length > MAX_ARGS) {
                throw new IllegalArgumentException(command + " with " + callArgs.length + " arguments");
            }
            start(command, key, callArgs.length, ONE);
            for (byte[] a : callArgs) {
                args.add(a);
            }
            return this;
        }

        /** {@code command key args...} once per {@code argsPerCall} of {@code callArgs} (in order). */
        Writes calls(String command, byte[] key, int argsPerCall, List<byte[]> callArgs) {
            if (argsPerCall < 1 || argsPerCall > MAX_ARGS || callArgs.size() % argsPerCall != 0) {
                throw new IllegalArgumentException(command + ": " + callArgs.size() + " by " + argsPerCall);
            }
            if (callArgs.isEmpty()) {
                return this;
            }
            start(command, key, argsPerCall, ascii(Integer.toString(callArgs.size() / argsPerCall)));
            args.addAll(callArgs);
            return this;
        }

        boolean isEmpty() {
            return ops == 0;
        }

        private void start(String command, byte[] key, int argsPerCall, byte[] calls) {
            keys.add(key);
            args.add(ascii(command));
            args.add(ascii(Integer.toString(argsPerCall)));
            args.add(calls);
            ops++;
        }

        static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
    }
}
