package dev.marquee.embedding.encoder;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * A T5 encoder exported by tools/t5/export_t5.py, run by DJL on PyTorch: texts → L2-normalised sentence vectors
 * (mean pooling over the attention mask happens inside the TorchScript graph). Thread-safe: the model is shared,
 * each call takes its own predictor.
 */
public final class T5Encoder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(T5Encoder.class);
    private final ZooModel<NDList, NDList> model;
    private final HuggingFaceTokenizer tokenizer;
    private final ModelInfo info;
    private final Device device;

    private T5Encoder(ZooModel<NDList, NDList> model, HuggingFaceTokenizer tokenizer, ModelInfo info, Device device) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.info = info;
        this.device = device;
    }

    /**
     * @param device "auto" (CUDA when PyTorch sees a GPU, else CPU), "cpu" or "cuda"
     */
    public static T5Encoder load(Path modelDir, String device) throws IOException {
        ModelInfo info = JsonMapper.builder().build().readValue(modelDir.resolve("marquee-model.json").toFile(),
                ModelInfo.class);
        if (!Files.exists(modelDir.resolve("model.pt")) || !Files.exists(modelDir.resolve("tokenizer.json"))) {
            throw new IOException(modelDir + " needs model.pt and tokenizer.json (see tools/t5/README.md)");
        }
        Device chosen = switch (device) {
            case "cpu" -> Device.cpu();
            case "cuda" -> Device.gpu();
            case "auto" -> Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalArgumentException("device must be auto, cpu or cuda, not " + device);
        };
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(modelDir.resolve("tokenizer.json"))
                .optAddSpecialTokens(true)
                .optTruncation(true)
                .optMaxLength(info.maxLength())
                .optPadding(true)
                .build();
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(modelDir)
                .optModelName("model")
                .optEngine("PyTorch")
                .optDevice(chosen)
                .optTranslator(new NoopTranslator())
                .build();
        try {
            ZooModel<NDList, NDList> model = criteria.loadModel();
            log.info("T5 encoder {} (dim {}, max length {}) loaded from {} on {}", info.modelId(), info.dimension(),
                    info.maxLength(), modelDir, chosen);
            return new T5Encoder(model, tokenizer, info, chosen);
        } catch (ModelNotFoundException | MalformedModelException e) {
            tokenizer.close();
            throw new IOException("cannot load " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /** One unit-length vector per text, in order. */
    public float[][] encode(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int batch = encodings.length;
        int length = encodings[0].getIds().length;
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(encodings[b].getIds(), 0, ids, b * length, length);
            System.arraycopy(encodings[b].getAttentionMask(), 0, mask, b * length, length);
        }
        try (NDManager manager = NDManager.newBaseManager(device);
             Predictor<NDList, NDList> predictor = model.newPredictor()) {
            Shape shape = new Shape(batch, length);
            NDArray out = predictor.predict(new NDList(manager.create(ids, shape), manager.create(mask, shape)))
                    .singletonOrThrow();
            float[] flat = out.toFloatArray();
            int dim = (int) out.getShape().get(1);
            float[][] vectors = new float[batch][dim];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(flat, b * dim, vectors[b], 0, dim);
            }
            return vectors;
        } catch (TranslateException e) {
            throw new IllegalStateException("T5 forward pass failed", e);
        }
    }

    public int dimension() {
        return info.dimension();
    }

    public String modelId() {
        return info.modelId();
    }

    public int maxLength() {
        return info.maxLength();
    }

    /** "cpu" or "gpu(0)" style, as DJL names it. */
    public String device() {
        return device.toString();
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
