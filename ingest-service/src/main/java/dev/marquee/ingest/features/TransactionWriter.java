package dev.marquee.ingest.features;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends the stream consumer's write transactions ({@code MULTI}, the commands of one {@link RespWrites},
 * {@code EXEC}) on a socket of its own, from one thread, in the order they were submitted, and checks the replies
 * itself: a batch's ~30,000 replies ({@code +QUEUED} per command, then {@code EXEC}'s array) are skipped over in a
 * byte stream instead of each becoming a Lettuce command on its stack (which cost the consumer JVM about a fifth of its
 * time). A transaction is atomic in Redis: a command refused (e.g. for lack of memory) makes {@code EXEC} abort before
 * the first change, and a connection lost before {@code EXEC} arrived discards it. Any failure (error reply, I/O error,
 * timeout) fails the submission and closes the socket; the next submission connects again.
 */
final class TransactionWriter implements AutoCloseable {
    private static final byte[] MULTI = "*1\r\n$5\r\nMULTI\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXEC = "*1\r\n$4\r\nEXEC\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Where and how to connect. */
    record Endpoint(String host, int port, int database, String username, char[] password, boolean ssl,
                    boolean verifyPeer, Duration timeout) {
    }

    private final Endpoint endpoint;
    private final ExecutorService thread;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    TransactionWriter(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "marquee-redis-writes");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sends the transactions (one per element, in order, after everything submitted before) and completes once Redis
     * applied all of them, exceptionally if it refused one or did not answer within the timeout. They are all sent
     * before the replies are read, so after a failure each of them may or may not have been applied (each one all or
     * nothing).
     */
    CompletableFuture<Void> submit(List<RespWrites> transactions) {
        List<RespWrites> sent = transactions.stream().filter(w -> !w.isEmpty()).toList();
        return CompletableFuture.runAsync(() -> send(sent), thread);
    }

    private void send(List<RespWrites> transactions) {
        if (transactions.isEmpty()) {
            return;
        }
        try {
            connect();
            for (RespWrites w : transactions) {
                out.write(MULTI);
                w.writeTo(out);
                out.write(EXEC);
            }
            out.flush();
            for (RespWrites w : transactions) {
                checkTransaction(in, w.commands());
            }
        } catch (IOException | RuntimeException e) {
            disconnect();
            throw new IllegalStateException("write transaction failed: " + e.getMessage(), e);
        }
    }

    /** Reads one transaction's replies: +OK, +QUEUED per command, EXEC's array with one reply per command. */
    static void checkTransaction(InputStream in, int commands) throws IOException {
        String error = null;
        expectStatus(in, "OK");
        for (int i = 0; i < commands; i++) {
            String e = queued(in);
            error = error == null ? e : error;
        }
        int type = read(in);
        String line = line(in);
        if (type == '-') {
            throw new IllegalStateException(error != null ? error : line); // EXECABORT: the refusal says why
        }
        if (type != '*' || Integer.parseInt(line) != commands) {
            throw new IllegalStateException("EXEC answered " + (char) type + line + " for " + commands + " commands");
        }
        for (int i = 0; i < commands; i++) {
            String e = skip(in);
            error = error == null ? e : error;
        }
        if (error != null) {
            throw new IllegalStateException(error);
        }
    }

    private static void expectStatus(InputStream in, String status) throws IOException {
        int type = read(in);
        String line = line(in);
        if (type != '+' || !line.equals(status)) {
            throw new IllegalStateException("expected +" + status + ", got " + (char) type + line);
        }
    }

    /** A queued command's reply: null for +QUEUED, the error if it was refused. */
    private static String queued(InputStream in) throws IOException {
        int type = read(in);
        String line = line(in);
        if (type == '-') {
            return line;
        }
        if (type != '+' || !line.equals("QUEUED")) {
            throw new IllegalStateException("expected +QUEUED, got " + (char) type + line);
        }
        return null;
    }

    /** Skips one reply of any type; returns its error message if it is an error, else null. */
    private static String skip(InputStream in) throws IOException {
        int type = read(in);
        String line = line(in);
        switch (type) {
            case '+', ':', ',', '#', '_', '(' -> {
                return null;
            }
            case '-' -> {
                return line;
            }
            case '$', '=' -> {
                long n = Long.parseLong(line);
                if (n >= 0) {
                    skipBytes(in, n + 2);
                }
                return null;
            }
            case '!' -> {
                long n = Long.parseLong(line);
                byte[] message = in.readNBytes((int) n);
                skipBytes(in, 2);
                return new String(message, StandardCharsets.UTF_8);
            }
            case '*', '~', '>' -> {
                String error = null;
                for (long i = Long.parseLong(line); i > 0; i--) {
                    String e = skip(in);
                    error = error == null ? e : error;
                }
                return error;
            }
            case '%' -> {
                String error = null;
                for (long i = 2 * Long.parseLong(line); i > 0; i--) {
                    String e = skip(in);
                    error = error == null ? e : error;
                }
                return error;
            }
            default -> throw new IllegalStateException("unexpected reply type " + (char) type);
        }
    }

    private static int read(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("Redis closed the connection");
        }
        return b;
    }

    /** The rest of a line, without its CRLF (replies' header lines are short ASCII). */
    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder(16);
        int b;
        while ((b = read(in)) != '\r') {
            s.append((char) b);
        }
        if (read(in) != '\n') {
            throw new IllegalStateException("malformed reply line " + s);
        }
        return s.toString();
    }

    private static void skipBytes(InputStream in, long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                read(in);
                skipped = 1;
            }
            n -= skipped;
        }
    }

    private void connect() throws IOException {
        if (socket != null) {
            return;
        }
        int timeout = (int) endpoint.timeout().toMillis();
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), timeout);
            if (endpoint.ssl()) {
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(s, endpoint.host(), endpoint.port(), true);
                if (endpoint.verifyPeer()) {
                    SSLParameters params = tls.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    tls.setSSLParameters(params);
                }
                tls.startHandshake();
                s = tls;
            }
            s.setSoTimeout(timeout);
            s.setTcpNoDelay(true);
            OutputStream o = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            InputStream i = new BufferedInputStream(s.getInputStream(), 1 << 16);
            List<byte[]> hello = new ArrayList<>();
            if (endpoint.password() != null) {
                hello.add(command(endpoint.username() == null
                        ? new String[] {"AUTH", new String(endpoint.password())}
                        : new String[] {"AUTH", endpoint.username(), new String(endpoint.password())}));
            }
            if (endpoint.database() != 0) {
                hello.add(command("SELECT", Integer.toString(endpoint.database())));
            }
            for (byte[] c : hello) {
                o.write(c);
            }
            o.flush();
            for (int n = 0; n < hello.size(); n++) {
                expectStatus(i, "OK");
            }
            socket = s;
            out = o;
            in = i;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static byte[] command(String... args) {
        StringBuilder s = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            s.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing after a failure: nothing left to do
            }
        }
        socket = null;
        out = null;
        in = null;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        disconnect();
    }
}
