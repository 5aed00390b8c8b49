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
        @NotBlank @Size(max = 300) String title,
        @Size(max = 5000) String description,
        @NotBlank @Pattern(regexp = CATEGORY_PATTERN, message = CATEGORY_MESSAGE) String category,
        @NotNull @DecimalMin("0.0") Double price,
        @Size(max = 20) List<@NotBlank @Size(max = 32) String> tags,
        Boolean active) {

    public static final String CATEGORY_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_\\- ]{0,63}$";
    public static final String CATEGORY_MESSAGE = "must be 1-64 characters of letters, digits, '_', '-' or spaces";

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
