package dev.marquee.ranking.model;

import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.ranking.config.RankingProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Versioned models on disk ({@code <dir>/<version>/model.ubj}, its {@code model.sha256} and {@code metadata.json})
 * and the champion being served. Promotion writes the CHAMPION file atomically and swaps the in-memory model in one
 * reference write, so requests in flight finish on the old model and the next ones use the new one. Other instances
 * pick the change up within seconds ({@link #reloadIfChanged}). A champion that cannot be served (a file without its
 * checksum or that does not match it, that cannot be parsed, or was trained on other features) is refused with one log line, not one per
 * reload: the model being served stays; with none yet (a start), the newest version on disk that loads is served.
 */
@Component
public class ModelRegistry {
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private static final String CHAMPION = "CHAMPION";
    private static final String MODEL_FILE = "model.ubj";
    private static final String CHECKSUM_FILE = "model.sha256";
    private static final String METADATA_FILE = "metadata.json";
    private final Path dir;
    private final JsonMapper json;
    private final AtomicReference<RankingModel> champion = new AtomicReference<>();
    /** The champion pointer's version that failed to load, and its file's time then: not retried until either moves. */
    private volatile String refusedVersion;
    private volatile FileTime refusedAt;

    public ModelRegistry(RankingProperties props, JsonMapper json) {
        this.dir = Path.of(props.modelDir());
        this.json = json;
        reloadIfChanged();
    }

    public Optional<RankingModel> champion() {
        return Optional.ofNullable(champion.get());
    }

    /** Saves the model as a new version (with the SHA-256 of its file) and makes it the champion. */
    public void promote(RankingModel model) {
        Path versionDir = dir.resolve(model.version());
        try {
            Files.createDirectories(versionDir);
            byte[] bytes = model.toBytes();
            Files.write(versionDir.resolve(MODEL_FILE), bytes);
            Files.writeString(versionDir.resolve(CHECKSUM_FILE), sha256(bytes));
            json.writeValue(versionDir.resolve(METADATA_FILE).toFile(), model.metadata());
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
        String version;
        FileTime at;
        try {
            version = Files.readString(pointer).trim();
            at = Files.getLastModifiedTime(dir.resolve(version).resolve(MODEL_FILE));
        } catch (IOException e) {
            version = null;
            at = null;
        }
        RankingModel current = champion.get();
        if (current != null && current.version().equals(version)) {
            return;
        }
        if (version != null && version.equals(refusedVersion) && Objects.equals(at, refusedAt)) {
            return; // refused already, and unchanged since
        }
        try {
            if (version == null) {
                throw new IOException("the champion pointer or its model file cannot be read");
            }
            champion.set(load(version));
            refusedVersion = null;
            log.info("serving model {}", version);
        } catch (IOException | XGBoostError | RuntimeException e) {
            refusedVersion = version;
            refusedAt = at;
            if (current != null) {
                log.error("champion model {} refused, still serving {}: {}", version, current.version(), e.toString());
                return;
            }
            Optional<RankingModel> fallback = newestLoadable(version);
            fallback.ifPresent(champion::set);
            log.error("champion model {} refused, serving {}: {}", version,
                    fallback.map(RankingModel::version).orElse("no model"), e.toString());
        }
    }

    /** The newest version on disk (by its model file's time) other than {@code except} that loads. */
    private Optional<RankingModel> newestLoadable(String except) {
        List<Path> versions;
        try (Stream<Path> dirs = Files.list(dir)) {
            versions = dirs.filter(d -> Files.isRegularFile(d.resolve(MODEL_FILE)))
                    .filter(d -> !d.getFileName().toString().equals(except))
                    .sorted(Comparator.comparing(ModelRegistry::modelTime).reversed()).toList();
        } catch (IOException e) {
            return Optional.empty();
        }
        for (Path d : versions) {
            try {
                return Optional.of(load(d.getFileName().toString()));
            } catch (IOException | XGBoostError | RuntimeException e) {
                log.debug("model {} cannot be served either: {}", d.getFileName(), e.toString());
            }
        }
        return Optional.empty();
    }

    private static FileTime modelTime(Path versionDir) {
        try {
            return Files.getLastModifiedTime(versionDir.resolve(MODEL_FILE));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    RankingModel load(String version) throws IOException, XGBoostError {
        Path versionDir = dir.resolve(version);
        ModelMetadata meta = json.readValue(versionDir.resolve(METADATA_FILE).toFile(), ModelMetadata.class);
        if (!meta.features().equals(RankingFeatures.names())) {
            throw new IllegalStateException("model " + version + " was trained on features " + meta.features()
                    + " but this server computes " + RankingFeatures.names());
        }
        byte[] bytes = Files.readAllBytes(versionDir.resolve(MODEL_FILE));
        Path checksum = versionDir.resolve(CHECKSUM_FILE);
        // never parse bytes that are not known good: XGBoost's native parser aborts the whole JVM on some damaged
        // files (seen with a truncated one), so a model without its checksum (promoted before checksums) is refused
        if (!Files.exists(checksum)) {
            throw new IOException("model " + version + " has no " + CHECKSUM_FILE + ": promote it again or retrain");
        }
        if (!Files.readString(checksum).trim().equals(sha256(bytes))) {
            throw new IOException("model " + version + ": " + MODEL_FILE + " does not match " + CHECKSUM_FILE);
        }
        return new RankingModel(XGBoost.loadModel(bytes), meta);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
