package dev.marquee.common;

import java.util.regex.Pattern;

/**
 * Identifier rules shared by every service. Ids are opaque strings; restricting their alphabet at the edge keeps them
 * safe inside Redis keys and Milvus filter expressions.
 */
public final class Ids {
    /** Letters, digits and {@code _ . : -}; 1 to 64 characters; starts with a letter or digit. */
    public static final String PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,63}$";
    public static final String MESSAGE = "must be 1-64 characters of letters, digits, '_', '.', ':' or '-'";
    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private Ids() {
    }

    public static boolean isValid(String id) {
        return id != null && COMPILED.matcher(id).matches();
    }

    public static String require(String field, String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException(field + " " + MESSAGE);
        }
        return id;
    }
}
