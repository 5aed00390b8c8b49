package dev.marquee.ingest.features;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.feature.ForwardDecay;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.ingest.config.FeatureProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The feature maths of one interaction (not an impression), as pure functions over the user's state: what the event
 * changes in the user's taste, categories, recent items, session and history, and what it adds to the shared counted
 * sets (transitions, co-visits, popularity, trending) and click counters, collected in a {@link WriteGroup}. No I/O:
 * the stream consumer reads the state before and writes the changes after ({@link FeatureUpdater}).
 */
final class EventEffects {
    private final FeatureProperties props;

    EventEffects(FeatureProperties props) {
        this.props = props;
    }

    /**
     * Applies {@code e} to {@code user} (changed in place) and adds its shared effects to {@code out}.
     *
     * @param item    the item's category and vector, or null when the catalog does not know it (yet)
     * @param popular the popularity decay landmark the batch counts against
     * @param trending the trending decay landmark
     */
    void apply(InteractionEvent e, UserState user, FeatureStore.ItemTaste item, ForwardDecay popular,
               ForwardDecay trending, WriteGroup out) {
        long t = e.timestamp().toEpochMilli();
        long previous = user.lastMillis();
        long elapsed = user.advanceTo(t);
        double w = e.weight();
        String category = item == null ? null : item.category();
        if (item != null && item.vector() != null) {
            user.addTaste(props.tasteDecay() * UserState.decay(elapsed, props.tasteHalfLife().toMillis()),
                    item.vector(), w);
            out.tasteChanged.add(e.userId());
        }
        if (category != null) {
            user.addCategory(UserState.decay(elapsed, props.categoryHalfLife().toMillis()), category, w,
                    props.categoryCap());
        }
        transitions(e, user, out);
        recentAndHistory(e, user, t, out);
        List<String> before = user.enterSession(e.sessionId(), t, previous, props.sessionGap().toMillis());
        if (w > 0) {
            for (String other : before.subList(0, Math.min(props.coVisitWindow(), before.size()))) {
                if (!other.equals(e.itemId())) {
                    out.increment(CountedSets.Family.CO_VISITS, other, e.itemId(), 1.0);
                    out.increment(CountedSets.Family.CO_VISITS, e.itemId(), other, 1.0);
                }
            }
            user.addSessionItem(e.itemId(), props.sessionCap());
            double pop = popular.increment(t, w);
            double trend = trending.increment(t, w);
            out.increment(CountedSets.Family.POPULAR, "", e.itemId(), pop);
            if (category != null) {
                out.increment(CountedSets.Family.POPULAR_IN, category, e.itemId(), pop);
                out.increment(CountedSets.Family.TRENDING_IN, category, e.itemId(), trend);
                out.categories.add(category);
            } else {
                // trending overall is the categories' sets and this one merged when read (RedisKeys)
                out.increment(CountedSets.Family.TRENDING_UNCATEGORIZED, "", e.itemId(), trend);
            }
        }
        if (e.type() == EventType.CLICK) {
            out.clicks.merge(e.itemId(), 1L, Long::sum);
        }
    }

    /** What followed what: from each of the user's last {@code transition-window} items, nearer ones weighing more. */
    private void transitions(InteractionEvent e, UserState user, WriteGroup out) {
        List<String> previousItems = user.recent();
        int window = props.transitionWindow();
        for (int g = 0; g < Math.min(window, previousItems.size()); g++) {
            String from = previousItems.get(g);
            if (!from.equals(e.itemId())) {
                out.increment(CountedSets.Family.TRANSITIONS, from, e.itemId(), window - g);
            }
        }
    }

    /**
     * The recent items are the whole history until there are more events than they hold; from then on the history
     * key keeps them all (those in the recent list when it starts included).
     */
    private void recentAndHistory(InteractionEvent e, UserState user, long t, WriteGroup out) {
        List<String> startsWith = user.count() == props.recentCap() ? List.copyOf(user.recent()) : null;
        user.addRecent(e.itemId(), props.recentCap());
        user.countEvent();
        if (user.count() > props.recentCap()) {
            Map<String, Long> history = out.history.computeIfAbsent(e.userId(), u -> new LinkedHashMap<>());
            if (startsWith != null) {
                for (int i = startsWith.size() - 1; i >= 0; i--) {
                    history.putIfAbsent(startsWith.get(i), t - 1 - i);
                }
            }
            history.put(e.itemId(), t);
        }
    }
}
