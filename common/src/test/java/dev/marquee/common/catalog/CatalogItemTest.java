package dev.marquee.common.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Real catalogs' names are accepted as they are; only control characters and line breaks are refused. */
class CatalogItemTest {
    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    @Test
    void realCategoryNamesInAnyScriptAreValid() {
        for (String category : List.of("(no genres listed)", "Home & Kitchen", "Children's", "Sci-Fi/Fantasy",
                "Électroménager", "家電", "Книги", "🎬 Movies", "a\"] or id != \"", "*", "back\\slash")) {
            assertThat(violations(item(category, "Title: \"quoted\" ✓", "Line one.\nLine two,\ttabbed.")))
                    .as(category).isEmpty();
        }
    }

    @Test
    void controlCharactersAndLineBreaksAreRefusedNamingTheField() {
        assertThat(violations(item("books\nor", "t", null))).containsExactly("category");
        assertThat(violations(item("books\u0000", "t", null))).containsExactly("category");
        assertThat(violations(item("   ", "t", null))).containsExactly("category");
        assertThat(violations(item("x".repeat(65), "t", null))).containsExactly("category");
        assertThat(violations(item("books", "two\nlines", null))).containsExactly("title");
        assertThat(violations(item("books", "t", "bell\u0007"))).containsExactly("description");
    }

    @Test
    void sixtyFourEmojiAreOneCategoryOfSixtyFourCharacters() {
        assertThat(violations(item("🎬".repeat(64), "t", null))).isEmpty();
        assertThat(violations(item("🎬".repeat(65), "t", null))).containsExactly("category");
    }

    private static CatalogItem item(String category, String title, String description) {
        return new CatalogItem("i-1", title, description, category, 1.0);
    }

    private static Set<String> violations(CatalogItem item) {
        Set<ConstraintViolation<CatalogItem>> v = VALIDATOR.validate(item);
        return v.stream().map(c -> c.getPropertyPath().toString()).collect(Collectors.toSet());
    }
}
