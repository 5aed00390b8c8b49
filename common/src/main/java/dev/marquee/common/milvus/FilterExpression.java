package dev.marquee.common.milvus;

import dev.marquee.common.Ids;
import dev.marquee.common.catalog.CatalogItem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds Milvus boolean expressions from values without letting a value change the expression: every value is emitted
 * as a double-quoted string literal with its backslashes and double quotes escaped, the only characters that end or
 * change a literal in Milvus' grammar besides line breaks, which ids and categories cannot contain (ids match the id
 * alphabet; categories may hold quotes, brackets and any script). Field names come from {@link ItemCollectionSchema},
 * never from input.
 */
public final class FilterExpression {
    private static final Pattern CATEGORY = Pattern.compile(CatalogItem.CATEGORY_PATTERN);
    private final List<String> clauses = new ArrayList<>();

    private FilterExpression() {
    }

    public static FilterExpression where() {
        return new FilterExpression();
    }

    /** {@code field not in ["a", "b"]}, or an empty string when there is nothing to exclude. */
    public static String notIn(String field, Collection<String> ids) {
        return where().idNotIn(field, ids).build();
    }

    /** Adds {@code field not in [ids]} (nothing when {@code ids} is empty). */
    public FilterExpression idNotIn(String field, Collection<String> ids) {
        return clause(field, "not in", ids, FilterExpression::literal);
    }

    /** Adds {@code field in [categories]} (nothing when empty: no restriction). */
    public FilterExpression categoryIn(String field, Collection<String> categories) {
        return clause(field, "in", categories, FilterExpression::categoryLiteral);
    }

    /** Adds {@code field not in [categories]} (nothing when empty). */
    public FilterExpression categoryNotIn(String field, Collection<String> categories) {
        return clause(field, "not in", categories, FilterExpression::categoryLiteral);
    }

    /** The clauses joined by {@code and}; empty when there are none. */
    public String build() {
        return String.join(" and ", clauses);
    }

    private FilterExpression clause(String field, String op, Collection<String> values, UnaryOperator<String> quote) {
        if (!values.isEmpty()) {
            clauses.add(field + " " + op + " [" + values.stream().map(quote).collect(Collectors.joining(", ")) + "]");
        }
        return this;
    }

    /** A quoted string literal; refuses anything that is not a valid id. */
    public static String literal(String id) {
        Ids.require("id", id);
        return quoted(id);
    }

    /** A quoted, escaped string literal; refuses anything that is not a valid category (control characters). */
    public static String categoryLiteral(String category) {
        if (category == null || !CATEGORY.matcher(category).matches()) {
            throw new IllegalArgumentException("category " + CatalogItem.CATEGORY_MESSAGE);
        }
        return quoted(category);
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
