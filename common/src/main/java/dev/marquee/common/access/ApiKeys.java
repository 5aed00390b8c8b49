package dev.marquee.common.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The configured keys, kept as SHA-256 digests and compared in constant time; a caller is named by the first 8 hex
 * characters of its key's digest (what logs and rate limits see, never the key).
 */
public final class ApiKeys {
    /** The request header that carries the key. */
    public static final String HEADER = "X-API-Key";
    public static final String READ = "read";
    public static final String WRITE = "write";

    /** A caller the key identifies, and what it may do. */
    public record Caller(String name, List<String> authorities) {
    }

    private record Entry(byte[] digest, Caller caller) {
    }

    private final List<Entry> entries;

    public ApiKeys(AccessProperties props) {
        this.entries = java.util.stream.Stream.concat(
                props.writeKeys().stream().map(k -> entry(k, List.of(READ, WRITE))),
                props.readKeys().stream().map(k -> entry(k, List.of(READ)))).toList();
    }

    /** Whether writes need a key: some write key is configured. */
    public boolean guarded() {
        return entries.stream().anyMatch(e -> e.caller().authorities().contains(WRITE));
    }

    public Optional<Caller> callerOf(String key) {
        byte[] digest = sha256(key);
        Caller found = null;
        for (Entry e : entries) {
            // every entry compared, match or not: the time taken says nothing about the key
            if (MessageDigest.isEqual(e.digest(), digest) && found == null) {
                found = e.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    private static Entry entry(String key, List<String> authorities) {
        byte[] digest = sha256(key);
        return new Entry(digest, new Caller("key-" + HexFormat.of().formatHex(digest, 0, 4), authorities));
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
