package dev.marquee.common.catalog;

import dev.marquee.common.Ids;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A catalog item as ingested; its text (title + description) is what the T5 encoder embeds. */
public record CatalogItem(
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String itemId,
        @NotBlank @Size(max = 300) String title,
        @Size(max = 5000) String description,
        @NotBlank @Pattern(regexp = "^[A-Za-z0-9][A-Za-z0-9_\\- ]{0,63}$",
                message = "must be 1-64 characters of letters, digits, '_', '-' or spaces") String category,
        @NotNull @DecimalMin("0.0") Double price) {

    /** The text given to the encoder. */
    public String text() {
        return description == null || description.isBlank() ? title : title + ". " + description;
    }
}
