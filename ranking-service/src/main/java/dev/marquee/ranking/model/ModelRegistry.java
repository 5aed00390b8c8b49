package dev.marquee.ranking.model;

import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.ranking.config.RankingProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Versioned models on disk ({@code <dir>/<version>/model.ubj} + {@code metadata.json}) and the champion being
 * served. Promotion writes the CHAMPION file atomically and swaps the in-memory model in one reference write, so
 * requests in flight finish on the old model and the next ones use the new one. Other instances pick the change up
 * within seconds ({@link #reloadIfChanged}).
 */
@Component
public class ModelRegistry {
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private static final String CHAMPION = "CHAMPION";
    private final Path dir;
    private final JsonMapper json;
    private final AtomicReference<RankingModel> champion = new AtomicReference<>();

    public ModelRegistry(RankingProperties props, JsonMapper json) {
        this.dir = Path.of(props.modelDir());
        this.json = json;
        reloadIfChanged();
    }

    public Optional<RankingModel> champion() {
        return Optional.ofNullable(champion.get());
    }

    /** Saves the model as a new version and makes it the champion. */
    public void promote(RankingModel model) {
        Path versionDir = dir.resolve(model.version());
        try {
            Files.createDirectories(versionDir);
            Files.write(versionDir.resolve("model.ubj"), model.toBytes());
            json.writeValue(versionDir.resolve("metadata.json").toFile(), model.metadata());
            Path tmp = dir.resolve(CHAMPION + ".tmp");
            Files.writeString(tmp, model.version());
            Files.move(tmp, dir.resolve(CHAMPION), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        champion.set(model);
        log.info("promoted model {} (validation AUC {})", model.version(), model.metadata().validationAuc());
    }

    @Scheduled(fixedDelayString = "${marquee.ranking.reload-interval:5s}")
    public void reloadIfChanged() {
        Path pointer = dir.resolve(CHAMPION);
        if (!Files.exists(pointer)) {
            return;
        }
        try {
            String version = Files.readString(pointer).trim();
            RankingModel current = champion.get();
            if (current != null && current.version().equals(version)) {
                return;
            }
            champion.set(load(version));
            log.info("serving model {}", version);
        } catch (IOException | XGBoostError | RuntimeException e) {
            log.error("could not load the champion model, keeping the current one", e);
        }
    }

    RankingModel load(String version) throws IOException, XGBoostError {
        Path versionDir = dir.resolve(version);
        ModelMetadata meta = json.readValue(versionDir.resolve("metadata.json").toFile(), ModelMetadata.class);
        if (!meta.features().equals(RankingFeatures.names())) {
            throw new IllegalStateException("model " + version + " was trained on features " + meta.features()
                    + " but this server computes " + RankingFeatures.names());
        }
        Booster booster = XGBoost.loadModel(Files.readAllBytes(versionDir.resolve("model.ubj")));
        return new RankingModel(booster, meta);
    }
}
