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
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * A T5 encoder exported by tools/t5/export_t5.py, run by DJL on PyTorch: texts → L2-normalised sentence vectors
 * (mean pooling over the attention mask happens inside the TorchScript graph). Thread-safe: the model is shared,
 * each call takes its own predictor.
 *
 * <p>Graphs: {@code model.pt} (float32, traced on CPU) always; on CUDA the encoder prefers {@code model-cuda.pt}
 * (traced on the GPU) and, with {@link Options#fp16()}, {@code model-cuda-fp16.pt} (encoder in half precision,
 * pooling and normalisation in float32), both written by {@code export_t5.py --cuda --fp16}. DJL cannot change the
 * dtype of a loaded TorchScript module's parameters in place, so fp16 is a separate export, not a cast at load time.
 *
 * <p>Sequence bucketing ({@link Options#bucketing()}): a call's texts are tokenised once, sorted by token count and
 * cut into length buckets, each run as its own forward pass padded only to its own longest text; results come back
 * in the caller's order. Buckets are chosen to minimise {@code rows × padded length + overhead} per pass.
 */
public final class T5Encoder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(T5Encoder.class);
    private final ZooModel<NDList, NDList> model;
    private final HuggingFaceTokenizer tokenizer;
    private final ModelInfo info;
    private final Device device;
    private final Options options;
    private final String precision;

    /**
     * @param fp16                 on CUDA, run the half-precision graph ({@code model-cuda-fp16.pt}); ignored on CPU
     * @param bucketing            run each call in length buckets instead of one pass padded to the longest text
     * @param bucketOverheadTokens the fixed cost of one forward pass, in padded tokens, used to choose buckets
     */
    public record Options(boolean fp16, boolean bucketing, int bucketOverheadTokens) {
        public static final Options DEFAULTS = new Options(false, false, 64);

        public Options {
            if (bucketOverheadTokens < 0) {
                throw new IllegalArgumentException("bucketOverheadTokens must be >= 0");
            }
        }

        public Options withBucketing(boolean on) {
            return new Options(fp16, on, bucketOverheadTokens);
        }
    }

    private T5Encoder(ZooModel<NDList, NDList> model, HuggingFaceTokenizer tokenizer, ModelInfo info, Device device,
                      Options options, String precision) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.info = info;
        this.device = device;
        this.options = options;
        this.precision = precision;
    }

    /**
     * @param device "auto" (CUDA when PyTorch sees a GPU, else CPU), "cpu" or "cuda"
     */
    public static T5Encoder load(Path modelDir, String device) throws IOException {
        return load(modelDir, device, Options.DEFAULTS);
    }

    /**
     * @param device "auto" (CUDA when PyTorch sees a GPU, else CPU), "cpu" or "cuda"
     */
    public static T5Encoder load(Path modelDir, String device, Options options) throws IOException {
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
        String graph = graph(modelDir, chosen, options.fp16());
        String precision = graph.endsWith("fp16") ? "fp16" : "fp32";
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(modelDir)
                .optModelName(graph)
                .optEngine("PyTorch")
                .optDevice(chosen)
                .optTranslator(new NoopTranslator())
                .build();
        try {
            ZooModel<NDList, NDList> model = criteria.loadModel();
            log.info("T5 encoder {} (dim {}, max length {}) loaded from {}/{}.pt on {}, {}, bucketing {}",
                    info.modelId(), info.dimension(), info.maxLength(), modelDir, graph, chosen, precision,
                    options.bucketing() ? "on (overhead " + options.bucketOverheadTokens() + " tokens)" : "off");
            return new T5Encoder(model, tokenizer, info, chosen, options, precision);
        } catch (ModelNotFoundException | MalformedModelException e) {
            tokenizer.close();
            throw new IOException("cannot load " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /** Which TorchScript file (without {@code .pt}) to run on {@code device}. */
    static String graph(Path modelDir, Device device, boolean fp16) {
        if (!device.isGpu()) {
            if (fp16) {
                log.info("marquee.embedding.fp16 is ignored on {}: half precision is for CUDA; running float32",
                        device);
            }
            return "model";
        }
        if (fp16) {
            if (Files.exists(modelDir.resolve("model-cuda-fp16.pt"))) {
                return "model-cuda-fp16";
            }
            log.warn("fp16 requested but {} has no model-cuda-fp16.pt (export_t5.py --fp16 on a CUDA machine): "
                    + "running float32", modelDir);
        }
        if (Files.exists(modelDir.resolve("model-cuda.pt"))) {
            return "model-cuda";
        }
        log.warn("{} has no model-cuda.pt: running model.pt, traced on CPU, on {}; a graph traced on CPU can keep "
                + "CPU-only constants (export_t5.py --cuda traces on the GPU)", modelDir, device);
        return "model";
    }

    /** One unit-length vector per text, in order (bucketed or not as the options say). */
    public float[][] encode(List<String> texts) {
        return encode(texts, options.bucketing());
    }

    /** One unit-length vector per text, in order; {@code bucketing} overrides the options for this call. */
    public float[][] encode(List<String> texts, boolean bucketing) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int batch = encodings.length;
        int padded = encodings[0].getIds().length;
        Integer[] order = new Integer[batch];
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            order[b] = b;
            long tokens = 0;
            for (long m : encodings[b].getAttentionMask()) {
                tokens += m;
            }
            lengths[b] = (int) Math.max(1, tokens);
        }
        float[][] vectors = new float[batch][];
        try (NDManager manager = NDManager.newBaseManager(device);
             Predictor<NDList, NDList> predictor = model.newPredictor()) {
            if (!bucketing || batch == 1) {
                forward(predictor, manager, encodings, order, 0, batch, padded, vectors);
                return vectors;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(lengths[a], lengths[b]));
            int[] sorted = new int[batch];
            for (int i = 0; i < batch; i++) {
                sorted[i] = lengths[order[i]];
            }
            int from = 0;
            for (int to : buckets(sorted, options.bucketOverheadTokens())) {
                // right padding: cutting the padded rows at the bucket's longest text is padding to that length
                forward(predictor, manager, encodings, order, from, to, sorted[to - 1], vectors);
                from = to;
            }
            return vectors;
        } catch (TranslateException e) {
            throw new IllegalStateException("T5 forward pass failed", e);
        }
    }

    /** One forward pass over {@code rows[from, to)}, each padded or cut to {@code length} tokens. */
    private void forward(Predictor<NDList, NDList> predictor, NDManager manager, Encoding[] encodings, Integer[] rows,
                         int from, int to, int length, float[][] vectors) throws TranslateException {
        int batch = to - from;
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            Encoding e = encodings[rows[from + b]];
            System.arraycopy(e.getIds(), 0, ids, b * length, length);
            System.arraycopy(e.getAttentionMask(), 0, mask, b * length, length);
        }
        Shape shape = new Shape(batch, length);
        NDArray out = predictor.predict(new NDList(manager.create(ids, shape), manager.create(mask, shape)))
                .singletonOrThrow();
        if (out.getDataType() != DataType.FLOAT32) {
            out = out.toType(DataType.FLOAT32, false);
        }
        float[] flat = out.toFloatArray();
        int dim = (int) out.getShape().get(1);
        for (int b = 0; b < batch; b++) {
            vectors[rows[from + b]] = Arrays.copyOfRange(flat, b * dim, (b + 1) * dim);
        }
    }

    /**
     * Cuts ascending token counts into contiguous buckets minimising {@code Σ (rows × longest + overhead)} (exact,
     * by dynamic programming; a micro-batch is at most 1,024 texts). Returns each bucket's end index, ascending; one
     * bucket (the unbucketed pass) is among the candidates, so the modelled cost never rises.
     */
    static int[] buckets(int[] sortedLengths, int overheadTokens) {
        int n = sortedLengths.length;
        long[] best = new long[n + 1];
        int[] cut = new int[n + 1];
        for (int to = 1; to <= n; to++) {
            best[to] = Long.MAX_VALUE;
            long longest = sortedLengths[to - 1];
            for (int from = 0; from < to; from++) {
                long cost = best[from] + (long) (to - from) * longest + overheadTokens;
                if (cost < best[to]) {
                    best[to] = cost;
                    cut[to] = from;
                }
            }
        }
        int count = 0;
        int[] ends = new int[n];
        for (int to = n; to > 0; to = cut[to]) {
            ends[count++] = to;
        }
        int[] ascending = new int[count];
        for (int i = 0; i < count; i++) {
            ascending[i] = ends[count - 1 - i];
        }
        return ascending;
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

    /** "fp32", or "fp16" when the half-precision CUDA graph runs. */
    public String precision() {
        return precision;
    }

    public Options options() {
        return options;
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
