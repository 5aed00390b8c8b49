package dev.marquee.ranking.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param modelDir model registry folder: one sub-folder per version, and a CHAMPION file naming the served one
 * @param trainer  how models are trained
 * @param itemCacheTtl how long ranking reuses the counters of an item read from Redis — popularity, impressions,
 *                     clicks — and its active flag, and remembers that an item is unknown to the catalog (a new item
 *                     is ranked within this; default 2s; 0 reads everything every time). User features are always
 *                     read fresh.
 * @param itemCatalogTtl how long ranking reuses an item's catalog fields — title, category, price, T5 vector —
 *                     which change only with the catalog (default 60s; never less than {@code itemCacheTtl}): a
 *                     catalog update reaches ranking's features within this, a deactivation within
 *                     {@code itemCacheTtl}.
 */
@Validated
@ConfigurationProperties("marquee.ranking")
public record RankingProperties(
        @DefaultValue(".marquee/models") @NotBlank String modelDir,
        @DefaultValue @Valid Trainer trainer,
        @DefaultValue("2s") @NotNull java.time.Duration itemCacheTtl,
        @DefaultValue("60s") @NotNull java.time.Duration itemCatalogTtl) {

    /**
     * @param rounds               boosting rounds (default 100)
     * @param maxDepth             tree depth (default 4)
     * @param learningRate         eta (default 0.1)
     * @param negativesPerPositive sampled non-interacted items per interacted one (default 10)
     * @param negativePool         negatives are drawn from this many best transition and as many best history co-visit
     *                             neighbours of the moment (default 200)
     * @param negativePoolShare    share of the negatives drawn from that pool, the rest from the catalog (default 0.5)
     * @param maxUsers             most users read per training run (default 20,000)
     * @param positivesPerUser     most recent interactions per user used as positives (default 20)
     * @param minExamples          fewer examples than this and training is refused (default 50)
     * @param validationShare      share of users (by hash) held out for evaluation (default 0.2)
     * @param seed                 seed of negative sampling and of XGBoost
     * @param maxLabelledExamples  newest labelled examples (impressions with outcome) kept for training (200,000)
     * @param minLabelledExamples  with at least this many labelled examples, both labels present, the trainer learns
     *                             from them (time-based split) instead of from interactions (default 500)
     * @param interval             scheduled training runs this often (default 15m); {@code POST /models/train} any time
     * @param pairwise             learn the order within each request's (or user moment's) rows ({@code rank:pairwise},
     *                             default true) instead of each row's label alone ({@code binary:logistic})
     */
    public record Trainer(
            @DefaultValue("100") @Min(1) int rounds,
            @DefaultValue("4") @Min(1) int maxDepth,
            @DefaultValue("0.1") @DecimalMin("0.0") double learningRate,
            @DefaultValue("10") @Min(1) int negativesPerPositive,
            @DefaultValue("200") @Min(1) int negativePool,
            @DefaultValue("0.5") @DecimalMin("0.0") @DecimalMax("1.0") double negativePoolShare,
            @DefaultValue("20000") @Min(1) int maxUsers,
            @DefaultValue("20") @Min(1) int positivesPerUser,
            @DefaultValue("50") @Min(2) int minExamples,
            @DefaultValue("0.2") @DecimalMin("0.0") double validationShare,
            @DefaultValue("42") long seed,
            @DefaultValue("200000") @Min(1) int maxLabelledExamples,
            @DefaultValue("500") @Min(2) int minLabelledExamples,
            @DefaultValue("15m") java.time.Duration interval,
            @DefaultValue("true") boolean pairwise) {
    }
}
