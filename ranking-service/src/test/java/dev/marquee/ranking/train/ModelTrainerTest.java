package dev.marquee.ranking.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.ModelRegistry;
import dev.marquee.ranking.model.RankingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** Real XGBoost4j: train, evaluate, save through the registry, load in a fresh registry, score identically. */
class ModelTrainerTest {
    @TempDir
    Path dir;

    private RankingProperties props() {
        return new RankingProperties(dir.toString(), new RankingProperties.Trainer(60, 4, 0.2, 3, 200, 0.5, 1000, 20, 50, 0.2, 1, 1000, 500,
                java.time.Duration.ofMinutes(15), true), java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(60));
    }

    /** Label depends on the first feature (taste cosine) plus noise. */
    private static TrainingSet synthetic(int rows, long seed) {
        Random r = new Random(seed);
        int w = FeatureAssembler.width();
        float[] x = new float[rows * w];
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            for (int f = 0; f < w; f++) {
                x[i * w + f] = (float) r.nextGaussian();
            }
            y[i] = x[i * w] + 0.3 * r.nextGaussian() > 0 ? 1f : 0f;
        }
        return new TrainingSet(x, y, null);
    }

    @Test
    void trainedModelLearnsTheSignalAndSurvivesSaveAndLoad() {
        ModelTrainer trainer = new ModelTrainer(null, null, props());
        TrainingSet train = synthetic(2000, 1);
        TrainingSet validation = synthetic(500, 2);
        RankingModel model = trainer.fit(train, validation);

        assertThat(model.metadata().validationAuc()).isGreaterThan(0.9);
        assertThat(model.metadata().features()).isEqualTo(RankingFeatures.names());

        ModelRegistry registry = new ModelRegistry(props(), JsonMapper.builder().build());
        registry.promote(model);
        assertThat(Files.exists(dir.resolve(model.version()).resolve("model.ubj"))).isTrue();

        ModelRegistry reloaded = new ModelRegistry(props(), JsonMapper.builder().build());
        RankingModel loaded = reloaded.champion().orElseThrow();
        assertThat(loaded.version()).isEqualTo(model.version());
        assertThat(loaded.score(validation.features(), validation.rows()))
                .containsExactly(model.score(validation.features(), validation.rows()));
    }

    /**
     * Within each group the positive has the larger first feature; across groups a shifted second feature (as a user's
     * activity) makes whole groups look positive to a pointwise model. The pairwise one, trained per group, orders
     * each group by the first feature alone.
     */
    @Test
    void withGroupsTheModelLearnsTheOrderWithinEachGroup() {
        Random r = new Random(3);
        int w = FeatureAssembler.width();
        int groups = 400;
        float[] x = new float[groups * 4 * w];
        float[] y = new float[groups * 4];
        String[] g = new String[groups * 4];
        for (int row = 0; row < groups * 4; row++) {
            // rows of one group interleaved with the others': training must bring them together
            int group = row % groups;
            boolean positive = row / groups == 0;
            x[row * w] = (float) (positive ? 1 + r.nextGaussian() * 0.3 : r.nextGaussian() * 0.3);
            x[row * w + 1] = group % 2 == 0 ? 5f : -5f;
            y[row] = positive ? 1f : 0f;
            g[row] = "moment-" + group;
        }
        TrainingSet train = new TrainingSet(x, y, g);
        ModelTrainer trainer = new ModelTrainer(null, null, props());

        RankingModel model = trainer.fit(train, train);

        assertThat(model.metadata().objective()).isEqualTo("rank:pairwise");
        assertThat(model.metadata().validationAuc()).isGreaterThan(0.9);
        TrainingSet.Grouped grouped = train.grouped();
        assertThat(grouped.sizes()).hasSize(groups).containsOnly(4);
        assertThat(grouped.set().groups()[0]).isEqualTo(grouped.set().groups()[3]).isEqualTo("moment-0");
        assertThat(grouped.set().labels()[0]).isEqualTo(1f);
        assertThat(trainer.objective(synthetic(10, 1))).isEqualTo("binary:logistic");
    }

    @Test
    void modelTrainedOnOtherFeaturesIsRefused() throws Exception {
        ModelTrainer trainer = new ModelTrainer(null, null, props());
        RankingModel model = trainer.fit(synthetic(300, 3), synthetic(100, 4));
        new ModelRegistry(props(), JsonMapper.builder().build()).promote(model);
        Path meta = dir.resolve(model.version()).resolve("metadata.json");
        Files.writeString(meta, Files.readString(meta).replace("taste_cosine", "something_else"));

        assertThat(new ModelRegistry(props(), JsonMapper.builder().build()).champion()).isEmpty();
    }

    @Test
    void challengerReplacesTheChampionOnlyWhenEvaluatedAndNotWorse() {
        assertThat(ModelTrainer.Promotion.decide(false, Double.NaN, Double.NaN, Double.NaN, Double.NaN).promote())
                .isTrue();
        assertThat(ModelTrainer.Promotion.decide(true, Double.NaN, 0.8, Double.NaN, 0.9).promote()).isFalse();
        assertThat(ModelTrainer.Promotion.decide(true, Double.NaN, Double.NaN, Double.NaN, Double.NaN).reason())
                .startsWith("challenger could not be evaluated");
        assertThat(ModelTrainer.Promotion.decide(true, 0.80, 0.80, 0.90, 0.90).promote()).isTrue();
        assertThat(ModelTrainer.Promotion.decide(true, 0.79, 0.80, 0.95, 0.90).promote()).isFalse();
        assertThat(ModelTrainer.Promotion.decide(true, 0.85, 0.80, 0.85, 0.90).reason()).endsWith("NDCG@10");
    }

    @Test
    void aucOfPerfectAndReversedRankings() {
        float[] labels = {0, 0, 1, 1};
        assertThat(Evaluation.auc(new float[] {0.1f, 0.2f, 0.8f, 0.9f}, labels)).isEqualTo(1.0);
        assertThat(Evaluation.auc(new float[] {0.9f, 0.8f, 0.2f, 0.1f}, labels)).isEqualTo(0.0);
        assertThat(Evaluation.auc(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, labels)).isEqualTo(0.5);
    }

    @Test
    void ndcgIsOneForAPerfectOrderLowerForAWorseOneAndIgnoresGroupsWithoutPositives() {
        float[] labels = {1, 0, 0, 0, 1, 0, 0};
        String[] groups = {"r1", "r1", "r1", "r2", "r2", "r3", "r3"};
        float[] perfect = {0.9f, 0.1f, 0.2f, 0.1f, 0.8f, 0.5f, 0.4f};
        float[] worse = {0.1f, 0.9f, 0.2f, 0.9f, 0.8f, 0.5f, 0.4f};
        assertThat(Evaluation.ndcgAt(perfect, labels, groups, 10)).isEqualTo(1.0);
        // r1: positive at rank 3 -> 1/log2(4) = 0.5; r2: positive at rank 2 -> 1/log2(3)
        assertThat(Evaluation.ndcgAt(worse, labels, groups, 10))
                .isCloseTo((0.5 + 1 / (Math.log(3) / Math.log(2))) / 2, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(Evaluation.ndcgAt(worse, labels, groups, 1)).isZero();
    }

    @Test
    void promotingNewModelsWhileRequestsAreScoredFailsNoRequestAndServesTheNewest() throws Exception {
        ModelTrainer trainer = new ModelTrainer(null, null, props());
        TrainingSet validation = synthetic(200, 3);
        ModelRegistry registry = new ModelRegistry(props(), JsonMapper.builder().build());
        registry.promote(trainer.fit(synthetic(500, 10), validation));
        java.util.concurrent.atomic.AtomicBoolean swapping = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong scored = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.List<Thread> readers = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread reader = new Thread(() -> {
                while (swapping.get()) {
                    try {
                        float[] s = registry.champion().orElseThrow().score(validation.features(), validation.rows());
                        if (s.length != validation.rows() || !Float.isFinite(s[0])) {
                            throw new IllegalStateException("bad scores");
                        }
                        scored.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            });
            reader.start();
            readers.add(reader);
        }
        RankingModel last = null;
        for (int i = 0; i < 10; i++) {
            last = trainer.fit(synthetic(500, 100 + i), validation);
            registry.promote(last);
        }
        Thread.sleep(50);
        swapping.set(false);
        for (Thread reader : readers) {
            reader.join();
        }
        assertThat(failures).isEmpty();
        assertThat(scored.get()).isGreaterThan(10);
        assertThat(registry.champion().orElseThrow().version()).isEqualTo(last.version());
    }
}
