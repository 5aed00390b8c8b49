package dev.marquee.common.milvus;

import io.milvus.v2.client.MilvusClientV2;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Milvus client, connected off the caller's thread: the service starts whether Milvus answers or not, and a
 * caller gets the client or, at once, a {@link MilvusUnavailableException} (its ANN source then fails open and the
 * answer says so) — never a wait for a connection. Attempts repeat every {@code retry} until one succeeds; after that
 * the client's own channel reconnects, and every call has the RPC deadline the factory set.
 */
public class MilvusConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MilvusConnection.class);
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "milvus-connect");
        t.setDaemon(true);
        return t;
    });
    private final Supplier<MilvusClientV2> connect;
    private final Duration retry;
    private final String where;
    private volatile MilvusClientV2 client;
    private volatile String lastFailure = "not connected yet";

    /** @param connect builds a connected client (it may block up to its connect timeout, on the connector thread) */
    public MilvusConnection(Supplier<MilvusClientV2> connect, Duration retry, String where) {
        this.connect = connect;
        this.retry = retry;
        this.where = where;
        connector.execute(this::attempt);
    }

    private void attempt() {
        try {
            client = connect.get();
            log.info("connected to Milvus at {}", where);
        } catch (RuntimeException e) {
            lastFailure = e.toString();
            log.warn("Milvus at {} not reachable ({}); trying again in {}", where, e.getMessage(), retry);
            connector.schedule(this::attempt, retry.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The connected client; throws at once while there is none. */
    public MilvusClientV2 client() {
        MilvusClientV2 c = client;
        if (c == null) {
            throw new MilvusUnavailableException("Milvus at " + where + " not connected: " + lastFailure);
        }
        return c;
    }

    public boolean connected() {
        return client != null;
    }

    /** Waits up to {@code atMost} for the background connection; whether it is made. */
    public boolean awaitConnected(Duration atMost) {
        long until = System.nanoTime() + atMost.toNanos();
        while (client == null && System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
        return client != null;
    }

    @Override
    public void close() {
        connector.shutdownNow();
        MilvusClientV2 c = client;
        if (c != null) {
            c.close();
        }
    }

    /** No connection to Milvus (yet): the caller degrades. */
    public static class MilvusUnavailableException extends RuntimeException {
        public MilvusUnavailableException(String message) {
            super(message);
        }
    }
}
