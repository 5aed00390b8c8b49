package dev.marquee.ranking.train;

import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ranking.config.RankingProperties;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Training examples. From the labelled examples (impressions joined with clicks by the stream consumer) once there are
 * enough of them; before that (a catalog and history imported, no traffic yet) from interaction history: each user's
 * recent interactions are positives, items the user has not interacted with (sampled from the catalog) negatives.
 * Feature rows come from {@link FeatureAssembler}, the same code the ranking endpoint uses.
 */
@Component
public class ExampleBuilder {
    private final StringRedisTemplate redis;
    private final FeatureStore store;
    private final RankingProperties.Trainer props;
    private final LabelledExamples examples;

    ExampleBuilder(StringRedisTemplate redis, FeatureStore store, LabelledExamples examples, RankingProperties props) {
        this.redis = redis;
        this.examples = examples;
        this.store = store;
        this.props = props.trainer();
    }

    /** @param source where the examples came from: {@link #LABELLED} or {@link #INTERACTIONS} */
    public record Split(TrainingSet train, TrainingSet validation, String source) {
    }

    public static final String LABELLED = "labelled examples (impressions with their outcome), time-based split";
    public static final String INTERACTIONS = "interactions with sampled negatives, held-out users";

    /** Labelled examples when there are enough of both labels, else interaction history. */
    public Split build() {
        List<LabelledExample> labelled = examples.snapshot();
        long positives = labelled.stream().filter(x -> x.label() == 1).count();
        if (labelled.size() >= props.minLabelledExamples() && positives > 0 && positives < labelled.size()) {
            return fromLabelled(labelled);
        }
        return fromInteractions();
    }

    /**
     * Impressions with their outcome, oldest first: the newest {@code validationShare} of them (by the time they were
     * shown) validate, the rest train. Feature rows from the feature store as it is now, through the same
     * {@link FeatureAssembler} as serving; examples grouped by request for NDCG.
     */
    Split fromLabelled(List<LabelledExample> labelled) {
        List<LabelledExample> sorted = new ArrayList<>(labelled);
        sorted.sort(java.util.Comparator.comparing(LabelledExample::shownAt));
        int cut = (int) Math.round(sorted.size() * (1 - props.validationShare()));
        Map<String, UserFeatures> users = new java.util.HashMap<>();
        Map<String, ItemFeatures> items = new java.util.HashMap<>();
        List<String> itemIds = sorted.stream().map(LabelledExample::itemId).distinct().toList();
        for (int from = 0; from < itemIds.size(); from += 1000) {
            items.putAll(store.items(itemIds.subList(from, Math.min(itemIds.size(), from + 1000))));
        }
        Rows train = new Rows();
        Rows validation = new Rows();
        for (int i = 0; i < sorted.size(); i++) {
            LabelledExample x = sorted.get(i);
            ItemFeatures item = items.get(x.itemId());
            if (item == null) {
                continue;
            }
            UserFeatures user = users.computeIfAbsent(x.userId(), store::user);
            (i < cut ? train : validation).add(FeatureAssembler.row(user, item), x.label(), x.requestId());
        }
        return new Split(train.toSet(), validation.toSet(), LABELLED);
    }

    Split fromInteractions() {
        Random random = new Random(props.seed());
        List<String> catalog = List.copyOf(redis.opsForSet().members(RedisKeys.ALL_ITEMS));
        Rows train = new Rows();
        Rows validation = new Rows();
        for (String userId : users()) {
            UserFeatures user = store.user(userId);
            Set<String> positives = new LinkedHashSet<>(user.recentItems().stream()
                    .limit(props.positivesPerUser()).toList());
            Set<String> negatives = new HashSet<>();
            int wanted = positives.size() * props.negativesPerPositive();
            for (int tries = 0; negatives.size() < wanted && tries < wanted * 4 && !catalog.isEmpty(); tries++) {
                String candidate = catalog.get(random.nextInt(catalog.size()));
                if (!user.recentItems().contains(candidate)) {
                    negatives.add(candidate);
                }
            }
            List<String> ids = new ArrayList<>(positives);
            ids.addAll(negatives);
            Map<String, ItemFeatures> items = store.items(ids);
            Rows rows = isValidationUser(userId) ? validation : train;
            for (String id : ids) {
                ItemFeatures item = items.get(id);
                if (item != null) {
                    rows.add(FeatureAssembler.row(user, item), positives.contains(id) ? 1f : 0f, userId);
                }
            }
        }
        return new Split(train.toSet(), validation.toSet(), INTERACTIONS);
    }

    private boolean isValidationUser(String userId) {
        // SplittableRandom's seed mixing spreads similar ids (user-1, user-2, ...) uniformly
        return new java.util.SplittableRandom(userId.hashCode()).nextDouble() < props.validationShare();
    }

    private List<String> users() {
        List<String> users = new ArrayList<>();
        ScanOptions options = ScanOptions.scanOptions().match(RedisKeys.user("*")).count(1000).build();
        try (Cursor<String> cursor = redis.scan(options)) {
            while (cursor.hasNext() && users.size() < props.maxUsers()) {
                users.add(RedisKeys.userIdOfKey(cursor.next()));
            }
        }
        users.sort(null);
        return users;
    }

    private static final class Rows {
        private final List<float[]> rows = new ArrayList<>();
        private final List<Float> labels = new ArrayList<>();
        private final List<String> groups = new ArrayList<>();

        void add(float[] row, float label, String group) {
            rows.add(row);
            labels.add(label);
            groups.add(group);
        }

        TrainingSet toSet() {
            int width = FeatureAssembler.width();
            float[] features = new float[rows.size() * width];
            float[] y = new float[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                System.arraycopy(rows.get(r), 0, features, r * width, width);
                y[r] = labels.get(r);
            }
            return new TrainingSet(features, y, groups.toArray(String[]::new));
        }
    }
}
