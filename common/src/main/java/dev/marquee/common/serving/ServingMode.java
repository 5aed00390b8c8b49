package dev.marquee.common.serving;

import java.util.Locale;

/**
 * Where the gateway's retrieval and ranking steps run ({@value #PROPERTY}): {@link #IN_PROCESS}, the retrieval and
 * ranking cores in the gateway's JVM, or {@link #REMOTE}, the retrieval and ranking services over HTTP. The default,
 * {@value #DEFAULT}, is set here and nowhere else: the gateway's properties and the conditions that pick the beans
 * both read it.
 */
public enum ServingMode {
    REMOTE, IN_PROCESS;

    public static final String PROPERTY = "marquee.gateway.serving";
    /** Two HTTP hops and two processes fewer per request (docs/architecture.md "Serving in-process"). */
    public static final String DEFAULT = "in-process";

    /** The mode a property value names ({@code in-process}, {@code IN_PROCESS}, {@code remote}, ...). */
    public static ServingMode of(String value) {
        return valueOf(value.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
