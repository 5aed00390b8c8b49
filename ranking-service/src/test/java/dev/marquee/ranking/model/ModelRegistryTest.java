package dev.marquee.ranking.model;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.ranking.config.RankingProperties;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/** The champion on disk: checksummed, a bad one refused once, and a start on a bad one served from an older one. */
class ModelRegistryTest {
    private final JsonMapper json = JsonMapper.builder().build();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger registryLog = (Logger) LoggerFactory.getLogger(ModelRegistry.class);
    @TempDir
    Path dir;

    @BeforeEach
    void captureLog() {
        logged.start();
        registryLog.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        registryLog.detachAppender(logged);
    }

    @Test
    void aChampionWhoseFileDoesNotMatchItsChecksumIsRefusedOnceAndTheServedModelStays() throws Exception {
        ModelRegistry serving = registry();
        serving.promote(model("v1"));
        registry().promote(model("v2")); // another process promotes
        corrupt("v2");

        for (int i = 0; i < 5; i++) {
            serving.reloadIfChanged();
        }

        assertThat(serving.champion()).get().extracting(RankingModel::version).isEqualTo("v1");
        assertThat(errors()).hasSize(1).first().asString().contains("v2 refused, still serving v1")
                .contains("does not match model.sha256");

        registry().promote(model("v3")); // a good one again
        serving.reloadIfChanged();
        assertThat(serving.champion()).get().extracting(RankingModel::version).isEqualTo("v3");
    }

    @Test
    void startingOnARefusedChampionServesTheNewestModelOnDiskThatLoads() throws Exception {
        registry().promote(model("old"));
        Thread.sleep(20); // distinct file times
        registry().promote(model("newer"));
        Thread.sleep(20);
        registry().promote(model("broken"));
        corrupt("broken");

        ModelRegistry started = registry();

        assertThat(started.champion()).get().extracting(RankingModel::version).isEqualTo("newer");
        assertThat(errors()).hasSize(1).first().asString().contains("broken refused, serving newer");
    }

    @Test
    void aModelWithoutItsChecksumIsNeverParsedAndNothingIsServedWhenNoOtherLoads() throws Exception {
        registry().promote(model("only"));
        Path file = dir.resolve("only").resolve("model.ubj");
        // truncated: XGBoost's native parser aborts the JVM on this one, so it must never see it
        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 40));
        Files.delete(dir.resolve("only").resolve("model.sha256"));

        ModelRegistry started = registry();
        started.reloadIfChanged();

        assertThat(started.champion()).isEmpty();
        assertThat(errors()).hasSize(1).first().asString().contains("only refused, serving no model")
                .contains("has no model.sha256");
    }

    @Test
    void aTruncatedModelFileIsRefusedByItsChecksum() throws Exception {
        registry().promote(model("cut"));
        Path file = dir.resolve("cut").resolve("model.ubj");
        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 40));

        assertThat(registry().champion()).isEmpty();
        assertThat(errors()).hasSize(1).first().asString().contains("cut: model.ubj does not match model.sha256");
    }

    private ModelRegistry registry() {
        return new ModelRegistry(new RankingProperties(dir.toString(), null, Duration.ZERO, Duration.ZERO), json);
    }

    /** One byte of the model file changed, its size kept. */
    private void corrupt(String version) throws Exception {
        Path file = dir.resolve(version).resolve("model.ubj");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(file, bytes);
    }

    private java.util.List<String> errors() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** A real XGBoost model over the server's feature list. */
    private static RankingModel model(String version) throws Exception {
        int w = FeatureAssembler.width();
        int n = 200;
        Random r = new Random(5);
        float[] x = new float[n * w];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j++) {
                x[i * w + j] = (float) r.nextGaussian();
            }
            y[i] = x[i * w] > 0 ? 1f : 0f;
        }
        DMatrix train = new DMatrix(x, n, w, Float.NaN);
        train.setLabel(y);
        Map<String, Object> params = new HashMap<>(Map.of("objective", "binary:logistic", "max_depth", 2,
                "nthread", 1, "seed", 1));
        Booster booster = XGBoost.train(train, params, 5, Map.of(), null, null);
        return new RankingModel(booster, new ModelMetadata(version, RankingFeatures.names(), RankingFeatures.hash(),
                Instant.now(), n, 0, 0.5, "binary:logistic", null));
    }
}
