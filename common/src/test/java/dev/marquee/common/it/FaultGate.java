package dev.marquee.common.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fault injection in front of a real server, on a loopback port, for integration tests: the client under test is
 * pointed at {@link #port()} and the gate forwards to the server, or plays one of the ways a dependency fails. Every
 * change of mode drops the connections of the one before (clients reconnect), so a mode holds for every connection.
 */
public final class FaultGate implements AutoCloseable {
    /** How the dependency behind the gate behaves. */
    public enum Mode {
        /** Forwards both ways. */
        OPEN,
        /** Accepts connections and closes them at once: the process is gone. */
        DOWN,
        /** Accepts connections and never answers: a process that is stuck, or a network that drops packets. */
        HUNG,
        /** Forwards, each chunk in either direction after {@link #slowDelay()}. */
        SLOW
    }

    private final ServerSocket server;
    private final String host;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Mode mode;
    private volatile Duration slowDelay = Duration.ofMillis(100);

    /** A gate to {@code host:port} on a free loopback port, in {@code mode} from the start. */
    public FaultGate(String host, int port, Mode mode) throws IOException {
        this(0, host, port, mode);
    }

    /** A gate on loopback port {@code listen} (0: any free one) to {@code host:port}. */
    public FaultGate(int listen, String host, int port, Mode mode) throws IOException {
        this.host = host;
        this.port = port;
        this.mode = mode;
        this.server = new ServerSocket();
        server.setReuseAddress(true); // a fixed port is bindable again while the last run's connections wait
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), listen), 50);
        Thread acceptor = new Thread(this::accept, "fault-gate-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@link #FaultGate(String, int, Mode)} for a static field: an I/O failure fails the test class. */
    public static FaultGate to(String host, int port, Mode mode) {
        return on(0, host, port, mode);
    }

    private static FaultGate on(int listen, String host, int port, Mode mode) {
        try {
            return new FaultGate(listen, host, port, mode);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** An open gate in front of the tests' Redis ({@code REDIS_HOST}, {@code REDIS_PORT}, as the services read). */
    public static FaultGate toRedis() {
        return to(System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1"),
                Integer.parseInt(System.getenv().getOrDefault("REDIS_PORT", "6379")), Mode.OPEN);
    }

    /**
     * A gate in front of the tests' Kafka, on the port its second listener advertises ({@code KAFKA_GATE_PORT},
     * forwarding to {@code KAFKA_GATED_PORT}, both from deploy/local/infra.sh): a client bootstrapped at
     * {@code 127.0.0.1:}{@link #port()} is told that address for the broker, so all its traffic passes the gate.
     */
    public static FaultGate toKafka(Mode mode) {
        String gate = System.getenv("KAFKA_GATE_PORT");
        String gated = System.getenv("KAFKA_GATED_PORT");
        if (gate == null || gated == null) {
            throw new IllegalStateException("KAFKA_GATE_PORT and KAFKA_GATED_PORT are unset: start the tests' Kafka "
                    + "with deploy/local/infra.sh and load its infra.env (./marquee test does both)");
        }
        return on(Integer.parseInt(gate), "127.0.0.1", Integer.parseInt(gated), mode);
    }

    public int port() {
        return server.getLocalPort();
    }

    public Mode mode() {
        return mode;
    }

    public Duration slowDelay() {
        return slowDelay;
    }

    /** From now on the dependency behaves as {@code next}; connections made before are dropped. */
    public void set(Mode next) {
        mode = next;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    /** {@link Mode#SLOW} with this delay per chunk. */
    public void slow(Duration delay) {
        slowDelay = delay;
        set(Mode.SLOW);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Mode now = mode;
                if (now == Mode.DOWN) {
                    closeQuietly(in);
                    continue;
                }
                sockets.add(in);
                if (now == Mode.HUNG) {
                    continue; // held: accepted, never answered
                }
                Socket out;
                try {
                    out = new Socket(host, port);
                } catch (IOException refused) { // nothing behind the gate: the client sees its connection end
                    closeQuietly(in);
                    continue;
                }
                sockets.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // the gate was closed
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (mode == Mode.SLOW) {
                        Thread.sleep(slowDelay.toMillis());
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "fault-gate-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        set(Mode.DOWN);
    }
}
