package dev.marquee.ingest.features;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Write commands collected for one transaction ({@link ConsumerRedis#transactions}), encoded as Redis reads them (RESP)
 * as they are added: each is a command on one key, called once or repeated over groups of arguments (one
 * {@code ZINCRBY} per member of a set, say).
 */
final class RespWrites {
    /** Arguments per call at most (callers split larger calls; keeps each command's size bounded). */
    static final int MAX_ARGS = 1000;

    private byte[] buf = new byte[4096];
    private int size;
    private int commands;

    /** {@code command key args...}, once. */
    RespWrites call(String command, byte[] key, byte[]... callArgs) {
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

    /**
     * A variadic {@code command key members...} ({@code SADD}, say) over all of {@code members}, split into calls
     * of at most {@link #MAX_ARGS} members each.
     */
    RespWrites callInChunks(String command, byte[] key, List<byte[]> members) {
        for (int from = 0; from < members.size(); from += MAX_ARGS) {
            call(command, key, members.subList(from, Math.min(members.size(), from + MAX_ARGS))
                    .toArray(byte[][]::new));
        }
        return this;
    }

    /** {@code command key args...} once per {@code argsPerCall} of {@code callArgs} (in order). */
    RespWrites calls(String command, byte[] key, int argsPerCall, List<byte[]> callArgs) {
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

    void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, size);
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

    /**
     * A number as Redis reads it: whole numbers (co-visitation counts, due times) as integers, others as Lettuce sends
     * them ({@link Double#toString}, several times slower).
     */
    static byte[] number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return number((long) d);
        }
        return ascii(Double.toString(d));
    }

    static byte[] number(long n) {
        return ascii(Long.toString(n));
    }
}
