package dev.marquee.common.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** A dependency that is down: a local port nothing listens on (connections are refused at once). */
public final class ClosedPort {
    private ClosedPort() {
    }

    /** A port that was free a moment ago and is closed again. */
    public static int number() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
