package dev.marquee.ranking.train;

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
 * Training examples from interaction history, for when no impression logs exist yet: each user's recent
 * interactions are positives, items the user has not interacted with (sampled from the catalog) are negatives.
 * Feature rows come from {@link FeatureAssembler}, the same code the ranking endpoint uses.
 */
@Component
public class ExampleBuilder {
    private final StringRedisTemplate redis;
    private final FeatureStore store;
    private final RankingProperties.Trainer props;

    ExampleBuilder(StringRedisTemplate redis, FeatureStore store, RankingProperties props) {
        this.redis = redis;
        this.store = store;
        this.props = props.trainer();
    }

    public record Split(TrainingSet train, TrainingSet validation) {
    }

    public Split build() {
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
                    rows.add(FeatureAssembler.row(user, item), positives.contains(id) ? 1f : 0f);
                }
            }
        }
        return new Split(train.toSet(), validation.toSet());
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

        void add(float[] row, float label) {
            rows.add(row);
            labels.add(label);
        }

        TrainingSet toSet() {
            int width = FeatureAssembler.width();
            float[] features = new float[rows.size() * width];
            float[] y = new float[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                System.arraycopy(rows.get(r), 0, features, r * width, width);
                y[r] = labels.get(r);
            }
            return new TrainingSet(features, y);
        }
    }
}
