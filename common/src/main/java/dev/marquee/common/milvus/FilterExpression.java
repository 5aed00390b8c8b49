package dev.marquee.common.milvus;

import dev.marquee.common.Ids;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Builds Milvus boolean expressions from values without letting a value change the expression: every value must be
 * a valid id and is emitted as an escaped string literal.
 */
public final class FilterExpression {
    private FilterExpression() {
    }

    /** {@code field not in ["a", "b"]}, or an empty string when there is nothing to exclude. */
    public static String notIn(String field, Collection<String> ids) {
        if (ids.isEmpty()) {
            return "";
        }
        return field + " not in [" + ids.stream().map(FilterExpression::literal).collect(Collectors.joining(", "))
                + "]";
    }

    /** A quoted string literal; refuses anything that is not a valid id. */
    public static String literal(String id) {
        Ids.require("id", id);
        return "\"" + id.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
