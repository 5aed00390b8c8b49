package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.feature.ForwardDecay;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.redis.FeatureStore.ItemTaste;
import dev.marquee.ingest.config.FeatureProperties;
import dev.marquee.ingest.features.CountedSets.Family;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The feature maths of one event, without Redis: a user's state before, the event, what it changes. */
class EventEffectsTest {
    /** The defaults, as the service binds them. */
    private static final FeatureProperties PROPS = new Binder(new MapConfigurationPropertySource(Map.of()))
            .bindOrCreate("marquee.features", FeatureProperties.class);
    private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
    private final EventEffects effects = new EventEffects(PROPS);
    private final ForwardDecay popular = ForwardDecay.startingAt(T0, PROPS.popularHalfLife().toMillis());
    private final ForwardDecay trending = ForwardDecay.startingAt(T0, PROPS.trendingHalfLife().toMillis());

    @Test
    void aClickOnAKnownItemMovesTasteAndCategoryAndCountsTheClickAndThePopularity() {
        UserState user = UserState.empty();
        WriteGroup out = new WriteGroup();
        effects.apply(event("e1", "u", "boots", EventType.CLICK, 0), user, item("outdoor"), popular, trending, out);

        assertThat(user.taste()).isNotNull();
        assertThat(user.categories()).containsOnlyKeys("outdoor");
        assertThat(user.recent()).containsExactly("boots");
        assertThat(user.count()).isEqualTo(1);
        assertThat(out.tasteChanged).containsExactly("u");
        assertThat(out.clicks).containsExactly(Map.entry("boots", 1L));
        assertThat(out.categories).containsExactly("outdoor");
        assertThat(members(out, Family.POPULAR, "")).containsOnlyKeys("boots");
        assertThat(members(out, Family.POPULAR_IN, "outdoor")).containsOnlyKeys("boots");
        assertThat(members(out, Family.TRENDING_IN, "outdoor")).containsOnlyKeys("boots");
        assertThat(out.increments).doesNotContainKey(new CountedSets.Key(Family.TRENDING_UNCATEGORIZED, ""));
    }

    @Test
    void transitionsComeFromTheLastItemsTheNearerOneWeighingMoreAndNeverFromTheItemItself() {
        UserState user = UserState.empty();
        WriteGroup out = new WriteGroup();
        List<String> items = List.of("a", "b", "c", "b");
        for (int i = 0; i < items.size(); i++) {
            effects.apply(event("e" + i, "u", items.get(i), EventType.VIEW, i), user, item("x"), popular, trending,
                    out);
        }
        int window = PROPS.transitionWindow();
        // the last view (b) after c (1 back), b (2 back, itself: skipped) and a (3 back)
        assertThat(members(out, Family.TRANSITIONS, "c")).containsEntry("b", (double) window);
        assertThat(members(out, Family.TRANSITIONS, "a")).containsEntry("b", window + (double) (window - 2));
        assertThat(members(out, Family.TRANSITIONS, "b")).containsEntry("c", (double) window)
                .doesNotContainKey("b");
    }

    @Test
    void itemsOfOneSessionAreCoVisitedBothWaysAndAWeightlessRatingAddsNeitherCoVisitsNorPopularity() {
        UserState user = UserState.empty();
        WriteGroup out = new WriteGroup();
        effects.apply(event("e1", "u", "a", EventType.VIEW, 0), user, item("x"), popular, trending, out);
        effects.apply(event("e2", "u", "b", EventType.VIEW, 1), user, item("x"), popular, trending, out);
        assertThat(members(out, Family.CO_VISITS, "a")).containsEntry("b", 1.0);
        assertThat(members(out, Family.CO_VISITS, "b")).containsEntry("a", 1.0);

        WriteGroup later = new WriteGroup();
        InteractionEvent neutral = new InteractionEvent("e3", "u", "c", EventType.RATING,
                Instant.ofEpochMilli(T0 + 2000), null, null, 2.5);
        effects.apply(neutral, user, item("x"), popular, trending, later);
        assertThat(later.increments.keySet()).extracting(CountedSets.Key::family)
                .doesNotContain(Family.CO_VISITS, Family.POPULAR);
        assertThat(user.recent()).startsWith("c"); // still part of the user's history
    }

    @Test
    void anItemTheCatalogDoesNotKnowMovesNoTasteAndTrendsUncategorized() {
        UserState user = UserState.empty();
        WriteGroup out = new WriteGroup();
        effects.apply(event("e1", "u", "new", EventType.CLICK, 0), user, null, popular, trending, out);
        assertThat(out.tasteChanged).isEmpty();
        assertThat(user.categories()).isEmpty();
        assertThat(members(out, Family.TRENDING_UNCATEGORIZED, "")).containsOnlyKeys("new");
        assertThat(out.categories).isEmpty();
    }

    @Test
    void theHistoryKeyStartsOnceTheRecentListOverflowsWithEveryItemSeenBefore() {
        UserState user = UserState.empty();
        WriteGroup out = new WriteGroup();
        int cap = PROPS.recentCap();
        for (int i = 0; i < cap; i++) {
            effects.apply(event("e" + i, "u", "i" + i, EventType.VIEW, i), user, item("x"), popular, trending, out);
        }
        assertThat(out.history).isEmpty();
        effects.apply(event("last", "u", "i" + cap, EventType.VIEW, cap), user, item("x"), popular, trending, out);
        assertThat(out.history.get("u")).hasSize(cap + 1).containsKeys("i0", "i" + cap);
        assertThat(user.recent()).hasSize(cap).doesNotContain("i0");
    }

    private static Map<String, Double> members(WriteGroup out, Family family, String of) {
        return out.increments.getOrDefault(new CountedSets.Key(family, of), Map.of());
    }

    private static InteractionEvent event(String id, String user, String itemId, EventType type, int second) {
        return new InteractionEvent(id, user, itemId, type, Instant.ofEpochMilli(T0 + second * 1000L));
    }

    private static ItemTaste item(String category) {
        return new ItemTaste(category, new float[] {0.6f, 0.8f, 0f, 0f});
    }
}
