package dev.marquee.embedding.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code marquee.embedding.fp16}: on CPU it is ignored (logged) and changes nothing. The CUDA branch (running
 * model-cuda-fp16.pt) needs a GPU and is not run here; only which graph file it picks is checked.
 */
class T5EncoderFp16Test {
    private static final Path MODEL = Path.of("..", "models", "tiny-t5");
    private static final List<String> TEXTS = List.of("hiking tent with waterproof jacket", "a",
            "Cast iron skillet and dutch oven for the chef");

    @Test
    void onCpuFp16IsIgnoredLoggedAndGivesTheSameVectorsAsFloat32() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(T5Encoder.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (T5Encoder fp32 = T5Encoder.load(MODEL, "cpu", new T5Encoder.Options(false, false, 64));
             T5Encoder fp16 = T5Encoder.load(MODEL, "cpu", new T5Encoder.Options(true, false, 64))) {
            assertThat(fp16.precision()).isEqualTo("fp32");
            assertThat(fp16.device()).isEqualTo(Device.cpu().toString());
            float[][] a = fp32.encode(TEXTS);
            float[][] b = fp16.encode(TEXTS);
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i]).containsExactly(a[i]);
            }
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("fp16 is ignored on cpu"));
    }

    @Test
    void graphChoice() throws Exception {
        assertThat(T5Encoder.graph(MODEL, Device.cpu(), true)).isEqualTo("model");
        assertThat(T5Encoder.graph(MODEL, Device.cpu(), false)).isEqualTo("model");
    }

    @Test
    void onCudaTheHalfPrecisionGraphIsChosenWhenExportedElseTheCudaTracedOneElseModelPt(@TempDir Path dir)
            throws Exception {
        Device gpu = Device.gpu();
        assertThat(T5Encoder.graph(dir, gpu, true)).isEqualTo("model");
        Files.writeString(dir.resolve("model-cuda.pt"), "");
        assertThat(T5Encoder.graph(dir, gpu, true)).isEqualTo("model-cuda");
        assertThat(T5Encoder.graph(dir, gpu, false)).isEqualTo("model-cuda");
        Files.writeString(dir.resolve("model-cuda-fp16.pt"), "");
        assertThat(T5Encoder.graph(dir, gpu, true)).isEqualTo("model-cuda-fp16");
        assertThat(T5Encoder.graph(dir, gpu, false)).isEqualTo("model-cuda");
    }
}
