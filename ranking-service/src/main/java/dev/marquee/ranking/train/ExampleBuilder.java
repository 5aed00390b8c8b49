package dev.marquee.ranking.train;

import dev.marquee.common.Metrics;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.UserSequences;
import dev.marquee.ranking.model.TrainingRows;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Training examples. From the labelled examples (impressions joined with clicks by the stream consumer) once there are
 * enough of them, with the feature rows the server logged when it scored them ({@link ExampleFeatures}); before that
 * (a catalog and history imported, no traffic yet) from interaction history: each user's recent interactions are
 * positives, each as of the moment before it, items the user has not interacted with (drawn from that moment's
 * neighbours, {@link Negatives}) negatives. Rows not logged come from
 * {@link FeatureAssembler}, the same code the ranking endpoint uses.
 */
@Component
public class ExampleBuilder {
    private static final Logger log = LoggerFactory.getLogger(ExampleBuilder.class);
    private final StringRedisTemplate redis;
    private final FeatureStore store;
    private final RankingProperties.Trainer props;
    private final LabelledExamples examples;
    private final ExampleFeatures features;
    private final UserSequences sequences;
    private final MeterRegistry meters;
    private final Negatives negativeDraw;

    ExampleBuilder(StringRedisTemplate redis, FeatureStore store, LabelledExamples examples, ExampleFeatures features,
                   UserSequences sequences, RankingProperties props, MeterRegistry meters) {
        this.redis = redis;
        this.sequences = sequences;
        this.examples = examples;
        this.store = store;
        this.features = features;
        this.props = props.trainer();
        this.negativeDraw = new Negatives(this.props.negativesPerPositive(), this.props.negativePool(),
                this.props.negativePoolShare());
        this.meters = meters;
    }

    /**
     * @param source where the examples came from: {@link #LABELLED} or {@link #INTERACTIONS}
     * @param rows   where their feature rows came from (all {@code current} for interactions)
     */
    public record Split(TrainingSet train, TrainingSet validation, String source, TrainingRows rows) {
    }

    public static final String LABELLED = "labelled examples (impressions with their outcome), time-based split";
    public static final String INTERACTIONS = "interactions with sampled negatives, held-out users";

    /**
     * Labelled examples when there are enough of both labels with feature rows (examples of items the feature store
     * no longer knows, and never logged, have none) and some to validate on; else interaction history.
     */
    public Split build() {
        List<LabelledExample> labelled = examples.snapshot();
        long positives = labelled.stream().filter(x -> x.label() == 1).count();
        if (labelled.size() >= props.minLabelledExamples() && positives > 0 && positives < labelled.size()) {
            Split split = fromLabelled(labelled);
            long usable = split.train().rows() + split.validation().rows();
            long usablePositives = split.train().positives() + split.validation().positives();
            if (usable >= props.minLabelledExamples() && usablePositives > 0 && usablePositives < usable
                    && split.validation().rows() > 0) {
                return split;
            }
            log.info("only {} of {} labelled examples have feature rows ({} validating): learning from interactions",
                    usable, labelled.size(), split.validation().rows());
        }
        return fromInteractions();
    }

    /**
     * Impressions with their outcome, oldest first: the newest {@code validationShare} of those with features (by the
     * time they were shown) validate, the rest train. Feature rows as the server logged them, else from the feature
     * store as it is now ({@link ExampleFeatures}); examples without either (user or item unknown) are left out
     * before the split, so they cannot take the validation share; examples grouped by request for NDCG.
     */
    Split fromLabelled(List<LabelledExample> labelled) {
        List<LabelledExample> sorted = new ArrayList<>(labelled);
        sorted.sort(java.util.Comparator.comparing(LabelledExample::shownAt));
        ExampleFeatures.Joined joined = features.join(sorted);
        List<Integer> usable = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            if (joined.rows().get(i) != null) {
                usable.add(i);
            }
        }
        int cut = (int) Math.round(usable.size() * (1 - props.validationShare()));
        Rows train = new Rows();
        Rows validation = new Rows();
        for (int k = 0; k < usable.size(); k++) {
            int i = usable.get(k);
            LabelledExample x = sorted.get(i);
            (k < cut ? train : validation).add(joined.rows().get(i), x.label(), x.requestId());
        }
        TrainingRows rows = joined.counts();
        log.info("labelled examples: {} rows as logged at serve time, {} from current features (not logged), {} from "
                + "current features (logged under another feature list)", rows.logged(), rows.current(), rows.stale());
        meters.counter(Metrics.TRAINING_ROWS, Metrics.TAG_SOURCE, "logged").increment(rows.logged());
        meters.counter(Metrics.TRAINING_ROWS, Metrics.TAG_SOURCE, "current").increment(rows.current());
        meters.counter(Metrics.TRAINING_ROWS, Metrics.TAG_SOURCE, "stale").increment(rows.stale());
        return new Split(train.toSet(), validation.toSet(), LABELLED, rows);
    }

    /**
     * Each user's recent interactions are positives, each as of the moment before it: the user's neighbour scores are
     * those of the items they had interacted with before it ({@link UserSequences#asOf}), and it is ranked against
     * items they never interacted with, scored as of the same moment. The other user features are as they are
     * now. Validation users are held out whole.
     */
    Split fromInteractions() {
        Random random = new Random(props.seed());
        // sorted: a Redis set's order depends on its history, and the seeded draw indexes into this list
        List<String> catalog = redis.opsForSet().members(RedisKeys.ALL_ITEMS).stream().sorted().toList();
        Rows train = new Rows();
        Rows validation = new Rows();
        for (String userId : users()) {
            UserFeatures user = store.user(userId);
            List<String> recent = user.recentItems();
            // the oldest recent item has nothing before it to be scored against
            int positives = Math.min(props.positivesPerUser(), recent.size() - 1);
            if (positives <= 0) {
                continue;
            }
            Set<String> seen = seenBy(userId, recent);
            List<String> ids = new ArrayList<>(recent.subList(0, positives));
            List<UserFeatures> moments = new ArrayList<>(positives);
            List<List<String>> negativesOf = new ArrayList<>();
            for (int p = 0; p < positives; p++) {
                UserFeatures then = sequences.asOf(user, p + 1);
                List<String> negatives = negativeDraw.draw(then, recent.get(p), seen, catalog, random);
                moments.add(then);
                negativesOf.add(negatives);
                ids.addAll(negatives);
            }
            Map<String, ItemFeatures> items = store.items(ids.stream().distinct().toList());
            Rows rows = isValidationUser(userId) ? validation : train;
            for (int p = 0; p < positives; p++) {
                // a group per moment: the positive against its own negatives
                String group = userId + "#" + p;
                addRow(rows, moments.get(p), items.get(recent.get(p)), 1f, group);
                for (String negative : negativesOf.get(p)) {
                    addRow(rows, moments.get(p), items.get(negative), 0f, group);
                }
            }
        }
        TrainingSet trainSet = train.toSet();
        TrainingSet validationSet = validation.toSet();
        return new Split(trainSet, validationSet, INTERACTIONS,
                new TrainingRows(0, trainSet.rows() + validationSet.rows(), 0));
    }

    /** Everything the user interacted with: their recent items and their history ({@link RedisKeys#history}). */
    private Set<String> seenBy(String userId, List<String> recent) {
        Set<String> seen = new HashSet<>(recent);
        Set<String> history = redis.opsForZSet().range(RedisKeys.history(userId), 0, -1);
        if (history != null) {
            seen.addAll(history);
        }
        return seen;
    }

    private static void addRow(Rows rows, UserFeatures user, ItemFeatures item, float label, String group) {
        if (item != null) {
            rows.add(FeatureAssembler.row(user, item), label, group);
        }
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
