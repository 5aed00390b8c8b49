package dev.marquee.common;

/**
 * Identifier rules shared by every service. Ids are opaque strings; restricting their alphabet at the edge keeps them
 * safe inside Redis keys and Milvus filter expressions.
 */
public final class Ids {
    /** Letters, digits and {@code _ . : -}; 1 to 64 characters; starts with a letter or digit. */
    public static final String PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,63}$";
    public static final String MESSAGE = "must be 1-64 characters of letters, digits, '_', '.', ':' or '-'";
    private static final int MAX_LENGTH = 64;

    private Ids() {
    }

    /** Whether {@code id} matches {@link #PATTERN} (checked by hand: the stream consumer checks every event's ids). */
    public static boolean isValid(String id) {
        return matches(id, MAX_LENGTH, true);
    }

    /**
     * {@code ^[A-Za-z0-9][A-Za-z0-9_.\-]{0,max-1}$}, with {@code :} allowed after the first character if
     * {@code colon}: the shape of ids and of {@link dev.marquee.common.event.EventContext#WORD words}.
     */
    public static boolean matches(String s, int maxLength, boolean colon) {
        if (s == null || s.isEmpty() || s.length() > maxLength || !letterOrDigit(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!letterOrDigit(c) && c != '_' && c != '.' && c != '-' && !(colon && c == ':')) {
                return false;
            }
        }
        return true;
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    public static String require(String field, String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException(field + " " + MESSAGE);
        }
        return id;
    }
}
