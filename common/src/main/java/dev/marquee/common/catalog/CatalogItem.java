package dev.marquee.common.catalog;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.marquee.common.Ids;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/** A catalog item as ingested; its text (title + description) is what the T5 encoder embeds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonAutoDetect(isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public record CatalogItem(
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String itemId,
        @NotBlank @Size(max = 300) @Pattern(regexp = LINE_PATTERN, message = LINE_MESSAGE) String title,
        @Size(max = 5000) @Pattern(regexp = TEXT_PATTERN, message = TEXT_MESSAGE) String description,
        @NotBlank @Pattern(regexp = CATEGORY_PATTERN, message = CATEGORY_MESSAGE) String category,
        @NotNull @DecimalMin("0.0") Double price,
        @Size(max = 20) List<@NotBlank @Size(max = 32) @Pattern(regexp = LINE_PATTERN, message = LINE_MESSAGE)
                String> tags,
        Boolean active) {

    /**
     * Categories are the catalog's own names ({@code Home & Kitchen}, {@code Children's}, {@code (no genres listed)},
     * any script, emoji): 1-64 characters, not blank, no control character or line separator. Safety comes from
     * escaping each Milvus literal ({@code FilterExpression}) and from Redis keys being binary-safe, not from a narrow
     * alphabet. The control characters are spelled as ranges ({@code \p{Cc}}'s set) because OpenAPI tools, the
     * fuzzer among them, cannot generate values for a {@code \p} class.
     */
    public static final String CATEGORY_PATTERN = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]{1,64}$";
    public static final String CATEGORY_MESSAGE = "must be 1-64 characters without control characters or line breaks";
    /** One line of text: no control character or line separator. */
    public static final String LINE_PATTERN = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$";
    public static final String LINE_MESSAGE = "must not contain control characters or line breaks";
    /** Text of several lines: line breaks and tabs, no other control character. */
    public static final String TEXT_PATTERN = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$";
    public static final String TEXT_MESSAGE = "must not contain control characters other than line breaks and tabs";

    /** An active item without tags. */
    public CatalogItem(String itemId, String title, String description, String category, Double price) {
        this(itemId, title, description, category, price, null, null);
    }

    /** Inactive items stay in the catalog but are never recommended; absent means active. */
    @JsonIgnore
    public boolean isActive() {
        return active == null || active;
    }

    /** The text given to the encoder. */
    @JsonIgnore
    public String text() {
        return description == null || description.isBlank() ? title : title + ". " + description;
    }
}
