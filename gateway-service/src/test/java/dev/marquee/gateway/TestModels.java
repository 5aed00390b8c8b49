package dev.marquee.gateway;

import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.ModelMetadata;
import dev.marquee.ranking.model.ModelRegistry;
import dev.marquee.ranking.model.RankingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import tools.jackson.databind.json.JsonMapper;

/** Real XGBoost models promoted into a registry folder, as the ranking service's trainer would. */
final class TestModels {
    private TestModels() {
    }

    static Path registryDir() {
        try {
            return Files.createTempDirectory("gateway-models");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Promotes a model of {@code version} into the registry at {@code dir}. */
    static void promote(Path dir, JsonMapper json, String version) throws Exception {
        new ModelRegistry(new RankingProperties(dir.toString(), null, Duration.ZERO, Duration.ZERO),
                json).promote(model(version));
    }

    /** A real XGBoost model over the server's feature list (label decided by the last feature's sign). */
    static RankingModel model(String version) throws Exception {
        int w = FeatureAssembler.width();
        int n = 300;
        Random r = new Random(11);
        float[] x = new float[n * w];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j++) {
                x[i * w + j] = (float) r.nextGaussian();
            }
            y[i] = x[i * w + w - 1] > 0 ? 1f : 0f;
        }
        DMatrix train = new DMatrix(x, n, w, Float.NaN);
        train.setLabel(y);
        Map<String, Object> params = new HashMap<>(Map.of("objective", "binary:logistic", "max_depth", 3,
                "nthread", 1, "seed", 1));
        Booster booster = XGBoost.train(train, params, 10, Map.of(), null, null);
        return new RankingModel(booster, new ModelMetadata(version, RankingFeatures.names(), RankingFeatures.hash(),
                Instant.now(), n, 0, 0.5, "binary:logistic", null));
    }
}
