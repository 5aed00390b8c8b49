package dev.marquee.ranking.train;

import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.ranking.model.UserSequences;
import dev.marquee.ranking.model.TrainingRows;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The feature row of each labelled example: the row the server logged when it scored the request (joined by example
 * id, {@code requestId:itemId}, from {@link ServedRows}), so the model learns from what it saw at serve time, before
 * the click it is asked to predict. Examples without a usable logged row (ranked below the logged top N, e.g. an
 * exploration slot; older than the log; logged under another feature list) fall back to
 * {@link FeatureAssembler#row} on the feature store as it is now, which may already contain their outcome.
 */
@Component
public class ExampleFeatures {
    private final FeatureStore store;
    private final ServedRows served;
    private final UserSequences sequences;

    ExampleFeatures(FeatureStore store, ServedRows served, UserSequences sequences) {
        this.store = store;
        this.served = served;
        this.sequences = sequences;
    }

    public enum Origin { LOGGED, CURRENT, STALE }

    /**
     * @param rows    one per example, in the examples' order; {@code null} where the item is unknown to the feature
     *                store and nothing was logged (the example is left out)
     * @param origins where each row came from ({@code null} with a {@code null} row)
     */
    public record Joined(List<LabelledExample> examples, List<float[]> rows, List<Origin> origins,
                         TrainingRows counts) {
    }

    public Joined join(List<LabelledExample> examples) {
        ServedRows.Snapshot log = served.snapshot();
        List<float[]> rows = new ArrayList<>(Collections.nCopies(examples.size(), null));
        List<Origin> origins = new ArrayList<>(Collections.nCopies(examples.size(), null));
        List<Integer> fallback = new ArrayList<>();
        int logged = 0;
        for (int i = 0; i < examples.size(); i++) {
            LabelledExample x = examples.get(i);
            ServedRows.Found found = log.find(x.requestId(), x.itemId());
            if (found.kind() == ServedRows.Kind.LOGGED) {
                rows.set(i, found.row());
                origins.set(i, Origin.LOGGED);
                logged++;
            } else {
                origins.set(i, found.kind() == ServedRows.Kind.STALE ? Origin.STALE : Origin.CURRENT);
                fallback.add(i);
            }
        }
        Map<String, ItemFeatures> items = new HashMap<>();
        List<String> itemIds = fallback.stream().map(i -> examples.get(i).itemId()).distinct().toList();
        for (int from = 0; from < itemIds.size(); from += 1000) {
            items.putAll(store.items(itemIds.subList(from, Math.min(itemIds.size(), from + 1000))));
        }
        Map<String, UserFeatures> users = new HashMap<>();
        int current = 0;
        int stale = 0;
        for (int i : fallback) {
            LabelledExample x = examples.get(i);
            ItemFeatures item = items.get(x.itemId());
            if (item == null) {
                origins.set(i, null);
                continue;
            }
            rows.set(i, FeatureAssembler.row(users.computeIfAbsent(x.userId(), u -> sequences.now(store.user(u))), item));
            if (origins.get(i) == Origin.STALE) {
                stale++;
            } else {
                current++;
            }
        }
        return new Joined(examples, rows, origins, new TrainingRows(logged, current, stale));
    }
}
