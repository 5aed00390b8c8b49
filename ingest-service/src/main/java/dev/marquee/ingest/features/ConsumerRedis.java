package dev.marquee.ingest.features;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CompleteableCommand;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import jakarta.annotation.PreDestroy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
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
        private final List<CompletableFuture<?>> futures = new ArrayList<>();
        private final List<Consumer<Object>> handlers = new ArrayList<>();

        Round(StatefulRedisConnection<byte[], byte[]> connection) {
            this.connection = connection;
        }

        RedisAsyncCommands<byte[], byte[]> redis() {
            return connection.async();
        }

        /** Queues a command whose result goes to {@code handler} once the round ran. */
        <T> void read(RedisFuture<T> command, Consumer<T> handler) {
            futures.add(command.toCompletableFuture());
            @SuppressWarnings("unchecked")
            Consumer<Object> h = (Consumer<Object>) handler;
            handlers.add(h);
        }

        /**
         * Queues {@code writes} as one {@code MULTI}/{@code EXEC} transaction: atomic (nothing else runs in between,
         * and a write refused for lack of memory aborts the whole transaction before the first change), and sent as
         * bytes encoded once ({@link Transaction}) instead of one Lettuce command object per argument.
         */
        void write(Writes writes) {
            if (writes.isEmpty()) {
                return;
            }
            Transaction tx = new Transaction(writes);
            connection.dispatch(tx.replies());
            futures.add(tx.done);
            handlers.add(null);
        }

        /** Queues a command whose result only matters for failing the round. */
        void write(RedisFuture<?> command) {
            futures.add(command.toCompletableFuture());
            handlers.add(null);
        }

        /**
         * Sends everything queued in one flush without waiting: the result completes once every reply is in and the
         * handlers ran (on Lettuce's thread), exceptionally if a command failed or Redis did not answer in time.
         * Commands sent later on this connection are executed after these (one connection, in order).
         */
        CompletableFuture<Void> runAsync() {
            connection.flushCommands();
            CompletableFuture<?>[] all = futures.toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(all).orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(() -> {
                        for (int i = 0; i < all.length; i++) {
                            if (handlers.get(i) != null) {
                                handlers.get(i).accept(all[i].join());
                            }
                        }
                    });
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
                throw new IllegalStateException("Redis did not answer within " + TIMEOUT);
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

    /**
     * Write commands collected for one transaction ({@link Round#write(Writes)}), encoded as Redis reads them (RESP)
     * as they are added: each is a command on one key, called once or repeated over groups of arguments (one
     * {@code ZINCRBY} per member of a set, say).
     */
    static final class Writes {
        /** Arguments per call at most (callers split larger calls; keeps each command's size bounded). */
        static final int MAX_ARGS = 1000;

        private byte[] buf = new byte[4096];
        private int size;
        private int commands;

        /** {@code command key args...}, once. */
        Writes call(String command, byte[] key, byte[]... callArgs) {
            if (callArgs.length > MAX_ARGS) {
                throw new IllegalArgumentException(command + " with " + callArgs.length + " arguments");
            }
            byte[] name = ascii(command);
            header(name, key, callArgs.length);
            for (byte[] a : callArgs) {
                bulk(a);
            }
            return this;
        }

        /** {@code command key args...} once per {@code argsPerCall} of {@code callArgs} (in order). */
        Writes calls(String command, byte[] key, int argsPerCall, List<byte[]> callArgs) {
            if (argsPerCall < 1 || argsPerCall > MAX_ARGS || callArgs.size() % argsPerCall != 0) {
                throw new IllegalArgumentException(command + ": " + callArgs.size() + " by " + argsPerCall);
            }
            byte[] name = ascii(command);
            for (int from = 0; from < callArgs.size(); from += argsPerCall) {
                header(name, key, argsPerCall);
                for (int i = from; i < from + argsPerCall; i++) {
                    bulk(callArgs.get(i));
                }
            }
            return this;
        }

        boolean isEmpty() {
            return commands == 0;
        }

        /** Commands queued. */
        int commands() {
            return commands;
        }

        /** The commands as sent (a copy). */
        byte[] encoded() {
            return Arrays.copyOf(buf, size);
        }

        private void header(byte[] name, byte[] key, int args) {
            commands++;
            ensure(16);
            buf[size++] = '*';
            digits(args + 2);
            bulk(name);
            bulk(key);
        }

        private void bulk(byte[] value) {
            ensure(value.length + 16);
            buf[size++] = '$';
            digits(value.length);
            System.arraycopy(value, 0, buf, size, value.length);
            size += value.length;
            buf[size++] = '\r';
            buf[size++] = '\n';
        }

        /** A non-negative number and CRLF. */
        private void digits(int n) {
            int start = size;
            do {
                buf[size++] = (byte) ('0' + n % 10);
                n /= 10;
            } while (n > 0);
            for (int i = start, j = size - 1; i < j; i++, j--) {
                byte t = buf[i];
                buf[i] = buf[j];
                buf[j] = t;
            }
            buf[size++] = '\r';
            buf[size++] = '\n';
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** The protocol keyword of the raw commands below (never sent itself: their bytes are). */
    private enum Raw implements ProtocolKeyword {
        TRANSACTION;

        private final byte[] bytes = name().getBytes(StandardCharsets.US_ASCII);

        @Override
        public byte[] getBytes() {
            return bytes;
        }
    }

    /**
     * {@code MULTI}, the queued writes and {@code EXEC}, encoded once and written by the first of the transaction's
     * reply slots ({@link Reply}: one per reply Redis sends, so Lettuce's in-order matching of replies to commands
     * holds). {@link #done} completes once {@code EXEC} answered with one reply per queued write and no error,
     * exceptionally otherwise. If Lettuce writes a slot a second time (it re-sends unanswered commands after a
     * reconnect), the transaction counts as failed, whatever Redis did with the first copy (all or nothing: the
     * consumer re-reads the batch, and what landed is skipped as seen), and every slot sends a {@code PING} instead,
     * so that replies still pair with slots.
     */
    static final class Transaction {
        private static final byte[] MULTI = "*1\r\n$5\r\nMULTI\r\n".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] EXEC = "*1\r\n$4\r\nEXEC\r\n".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

        private final Writes writes;
        private final List<Reply> replies;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile String failure;
        private volatile boolean written;

        Transaction(Writes writes) {
            this.writes = writes;
            int n = writes.commands();
            replies = new ArrayList<>(n + 2);
            replies.add(new Reply(this, Reply.MULTI));
            for (int i = 0; i < n; i++) {
                replies.add(new Reply(this, Reply.QUEUED));
            }
            replies.add(new Reply(this, Reply.EXEC));
        }

        List<Reply> replies() {
            return replies;
        }

        /** Writes the whole transaction the first time, a PING per slot after that (a re-send). */
        void encode(Reply slot, ByteBuf out) {
            if (slot.resent) {
                out.writeBytes(PING);
                return;
            }
            if (slot.kind == Reply.MULTI && !written) {
                written = true;
                out.ensureWritable(MULTI.length + writes.size + EXEC.length);
                out.writeBytes(MULTI);
                out.writeBytes(writes.buf, 0, writes.size);
                out.writeBytes(EXEC);
            }
        }

        void fail(String why) {
            if (failure == null) {
                failure = why;
            }
            done.completeExceptionally(new IllegalStateException("write transaction failed: " + why));
        }

        void completed(Reply slot) {
            if (slot.error != null) {
                fail(slot.error);
            } else if (slot.resent) {
                fail("sent again after a reconnect, outcome unknown");
            } else if (slot.unexpected) {
                fail("unexpected reply to " + (slot.kind == Reply.EXEC ? "EXEC" : "a queued command"));
            } else if (slot.kind == Reply.EXEC) {
                if (failure != null) {
                    fail(failure);
                } else if (slot.execReplies != writes.commands()) {
                    fail("EXEC answered " + slot.execReplies + " of " + writes.commands() + " commands");
                } else {
                    done.complete(null);
                }
            }
        }
    }

    /** One reply of a {@link Transaction}: the command Lettuce keeps on its stack, and the output it decodes into. */
    static final class Reply extends CommandOutput<byte[], byte[], Void>
            implements RedisCommand<byte[], byte[], Void>, CompleteableCommand<Void> {
        static final int MULTI = 0;
        static final int QUEUED = 1;
        static final int EXEC = 2;

        private final Transaction tx;
        private final int kind;
        private boolean encoded;
        private boolean resent;
        private boolean unexpected;
        private String error;
        /** The length of EXEC's reply array, once it began. */
        private int execReplies = -1;
        private volatile boolean isDone;
        /** What Lettuce wants to hear when this completes (the command timeout's cancellation). */
        private BiConsumer<? super Void, Throwable> onComplete;

        Reply(Transaction tx, int kind) {
            super(ByteArrayCodec.INSTANCE, null);
            this.tx = tx;
            this.kind = kind;
        }

        // --- RedisCommand --------------------------------------------------------------------------------------

        @Override
        public CommandOutput<byte[], byte[], Void> getOutput() {
            return this;
        }

        @Override
        public void complete() {
            isDone = true;
            tx.completed(this);
            notifyCompleted(null);
        }

        @Override
        public boolean completeExceptionally(Throwable throwable) {
            isDone = true;
            tx.fail(String.valueOf(throwable));
            notifyCompleted(throwable);
            return true;
        }

        @Override
        public void cancel() {
            completeExceptionally(new CancellationException());
        }

        @Override
        public void onComplete(Consumer<? super Void> action) {
            onComplete((ignored, failure) -> {
                if (failure == null) {
                    action.accept(null);
                }
            });
        }

        @Override
        public synchronized void onComplete(BiConsumer<? super Void, Throwable> action) {
            if (isDone) {
                action.accept(null, null);
            } else {
                BiConsumer<? super Void, Throwable> before = onComplete;
                onComplete = before == null ? action : (v, t) -> {
                    before.accept(v, t);
                    action.accept(v, t);
                };
            }
        }

        private synchronized void notifyCompleted(Throwable failure) {
            if (onComplete != null) {
                onComplete.accept(null, failure);
                onComplete = null;
            }
        }

        @Override
        public CommandArgs<byte[], byte[]> getArgs() {
            return null;
        }

        @Override
        public ProtocolKeyword getType() {
            return Raw.TRANSACTION;
        }

        @Override
        public void encode(ByteBuf buf) {
            if (encoded) {
                resent = true;
            }
            encoded = true;
            tx.encode(this, buf);
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return isDone;
        }

        @Override
        public void setOutput(CommandOutput<byte[], byte[], Void> output) {
            throw new UnsupportedOperationException("a transaction reply decodes into itself");
        }

        // --- CommandOutput: MULTI answers +OK, each queued command +QUEUED (which Lettuce does not pass on), EXEC an
        // array with one reply per command (values ignored, errors kept) or an error (EXECABORT: a command was refused)

        @Override
        public void set(ByteBuffer bytes) {
            unexpected |= kind == QUEUED || kind == EXEC && execReplies < 0;
        }

        @Override
        public void set(long integer) {
            unexpected |= kind != EXEC || execReplies < 0;
        }

        @Override
        public void set(double number) {
            unexpected |= kind != EXEC || execReplies < 0;
        }

        @Override
        public void set(boolean value) {
            unexpected |= kind != EXEC || execReplies < 0;
        }

        @Override
        public void setError(String message) {
            if (error == null) {
                error = message;
            }
        }

        @Override
        public void setError(ByteBuffer message) {
            setError(message == null ? "error" : StandardCharsets.UTF_8.decode(message).toString());
        }

        @Override
        public void multi(int count) {
            if (kind != EXEC) {
                unexpected = true;
            } else if (execReplies < 0) {
                execReplies = count;
            }
        }
    }
}
