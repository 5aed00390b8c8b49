package dev.marquee.ranking.train;

import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.ModelMetadata;
import dev.marquee.ranking.model.ModelRegistry;
import dev.marquee.ranking.model.RankingModel;
import dev.marquee.ranking.model.TrainingRows;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Trains a challenger on fresh examples, evaluates challenger and champion on the same held-out users, and promotes
 * the challenger only when it is not worse.
 */
@Component
public class ModelTrainer {
    private static final Logger log = LoggerFactory.getLogger(ModelTrainer.class);
    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("'v'yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);
    private final ExampleBuilder examples;
    private final ModelRegistry registry;
    private final RankingProperties.Trainer props;

    ModelTrainer(ExampleBuilder examples, ModelRegistry registry, RankingProperties props) {
        this.examples = examples;
        this.registry = registry;
        this.props = props.trainer();
    }

    /**
     * @param source       where the examples came from (labelled examples or interactions)
     * @param championAuc  AUC of the serving model on the same validation examples (NaN if none)
     * @param ndcg         NDCG@10 of the challenger on validation, per request (labelled) or per user (interactions)
     * @param rows         where the rows came from: logged at serve time, or computed from the feature store now
     */
    public record Outcome(String version, boolean promoted, String source, int examples, int validationExamples,
                          double auc, double championAuc, double ndcg, double championNdcg, String reason,
                          TrainingRows rows) {
    }

    /** Scheduled training, every {@code marquee.ranking.trainer.interval} (default 15 min); also on demand. */
    @Scheduled(initialDelayString = "${marquee.ranking.trainer.interval:15m}",
            fixedDelayString = "${marquee.ranking.trainer.interval:15m}")
    void scheduled() {
        try {
            Outcome outcome = trainAndMaybePromote();
            log.info("scheduled training: {}", outcome);
        } catch (RuntimeException e) {
            log.warn("scheduled training failed: {}", e.toString());
        }
    }

    public synchronized Outcome trainAndMaybePromote() {
        long start = System.nanoTime();
        ExampleBuilder.Split split = examples.build();
        TrainingSet train = split.train();
        TrainingSet validation = split.validation();
        log.info("training on {} examples ({} positive), validating on {}", train.rows(), train.positives(),
                validation.rows());
        log.info("feature means, positive/negative: {}", train.meansByLabel());
        if (train.rows() < props.minExamples() || train.positives() == 0 || train.positives() == train.rows()) {
            return new Outcome(null, false, split.source(), train.rows(), validation.rows(), Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN,
                    "not enough examples (" + train.rows() + ", need " + props.minExamples() + " with both labels)",
                    split.rows());
        }
        RankingModel challenger = fit(train, validation, split.rows());
        double auc = challenger.metadata().validationAuc();
        double ndcg = ndcg(challenger, validation);
        Optional<RankingModel> champion = registry.champion();
        double championAuc = champion.map(m -> validation.rows() == 0 ? Double.NaN
                : Evaluation.auc(m.score(validation.features(), validation.rows()), validation.labels()))
                .orElse(Double.NaN);
        double championNdcg = champion.map(m -> ndcg(m, validation)).orElse(Double.NaN);
        Promotion promotion = Promotion.decide(champion.isPresent(), auc, championAuc, ndcg, championNdcg);
        boolean better = promotion.promote();
        if (better) {
            registry.promote(challenger);
        }
        log.info("trained {} on {} in {} ms: AUC {} vs champion {}, NDCG@10 {} vs {} -> {}", challenger.version(),
                split.source(), (System.nanoTime() - start) / 1_000_000, auc, championAuc, ndcg, championNdcg,
                better ? "promoted" : "kept champion");
        return new Outcome(challenger.version(), better, split.source(), train.rows(), validation.rows(), auc,
                championAuc, ndcg, championNdcg, promotion.reason(), split.rows());
    }

    /**
     * The promotion rule: the first model is promoted; later, a challenger replaces the champion only when it could
     * be evaluated (validation rows with both labels) and is not worse on AUC and NDCG@10 on the same rows.
     */
    record Promotion(boolean promote, String reason) {
        static Promotion decide(boolean hasChampion, double auc, double championAuc, double ndcg, double championNdcg) {
            if (!hasChampion) {
                return new Promotion(true, "first model");
            }
            if (Double.isNaN(auc)) {
                return new Promotion(false, "challenger could not be evaluated (no validation examples with both labels)");
            }
            boolean aucOk = Double.isNaN(championAuc) || auc >= championAuc;
            boolean ndcgOk = Double.isNaN(championNdcg) || Double.isNaN(ndcg) || ndcg >= championNdcg;
            return aucOk && ndcgOk ? new Promotion(true, "challenger is not worse than the champion on AUC and NDCG@10")
                    : new Promotion(false, "champion is better on validation " + (aucOk ? "NDCG@10" : "AUC"));
        }
    }

    private static double ndcg(RankingModel model, TrainingSet validation) {
        return validation.rows() == 0 || validation.groups() == null ? Double.NaN
                : Evaluation.ndcgAt(model.score(validation.features(), validation.rows()), validation.labels(),
                validation.groups(), 10);
    }

    RankingModel fit(TrainingSet train, TrainingSet validation) {
        return fit(train, validation, null);
    }

    RankingModel fit(TrainingSet train, TrainingSet validation, TrainingRows rows) {
        try {
            // pairwise: the model learns what puts one item above another for the same request or moment, the only
            // order a list needs; user-level features cannot pass for preference across groups
            String objective = objective(train);
            TrainingSet.Grouped grouped = objective.startsWith("rank:") ? train.grouped() : null;
            TrainingSet rowsIn = grouped == null ? train : grouped.set();
            DMatrix dtrain = new DMatrix(rowsIn.features(), rowsIn.rows(), rowsIn.width(), Float.NaN);
            dtrain.setLabel(rowsIn.labels());
            if (grouped != null) {
                dtrain.setGroup(grouped.sizes());
            }
            Map<String, Object> params = Map.of(
                    "objective", objective,
                    "eval_metric", "auc",
                    "max_depth", props.maxDepth(),
                    "eta", props.learningRate(),
                    "seed", props.seed(),
                    "nthread", 2);
            Booster booster = XGBoost.train(dtrain, params, props.rounds(), Map.of(), null, null);
            dtrain.dispose();
            String version = VERSION.format(Instant.now());
            RankingModel unscored = new RankingModel(booster, metadata(version, train, validation, Double.NaN, rows,
                    objective));
            double auc = validation.rows() == 0 ? Double.NaN
                    : Evaluation.auc(unscored.score(validation.features(), validation.rows()), validation.labels());
            return new RankingModel(booster, metadata(version, train, validation, auc, rows, objective));
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost training failed", e);
        }
    }

    private static ModelMetadata metadata(String version, TrainingSet train, TrainingSet validation, double auc,
                                          TrainingRows rows, String objective) {
        return new ModelMetadata(version, RankingFeatures.names(), RankingFeatures.hash(), Instant.now(),
                train.rows(), validation.rows(), auc, objective, rows);
    }

    /**
     * Pairwise ranking within the rows' groups (requests, users' moments) when {@code trainer.pairwise}; pointwise
     * without it or without groups.
     */
    String objective(TrainingSet train) {
        return train.groups() == null || !props.pairwise() ? "binary:logistic" : "rank:pairwise";
    }
}
