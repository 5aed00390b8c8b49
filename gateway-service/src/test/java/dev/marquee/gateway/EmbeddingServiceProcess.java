package dev.marquee.gateway;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real embedding service, started from its built jar ({@code embedding-service/target/*-exec.jar}, made earlier in
 * the same build) as a child process on a free loopback port, with the tiny T5 and the tests' Milvus, Redis and Kafka
 * (from the environment). Its catalog consumer stays off and its item index is {@code collection}: it only answers
 * {@code /embed}, which is what the gateway asks it.
 */
final class EmbeddingServiceProcess implements AutoCloseable {
    private static final Path MODULES = Path.of("..").toAbsolutePath().normalize();
    private final Process process;
    private final int port;

    private EmbeddingServiceProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** A loopback port free now, for {@link #start}. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Starts it on {@code port}, returning once its health is UP (at most 180 s). */
    static EmbeddingServiceProcess start(int port, String collection, Path log) throws IOException,
            InterruptedException {
        Path jar;
        try (Stream<Path> built = Files.list(MODULES.resolve("embedding-service/target"))) {
            jar = built.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no embedding-service/target/*-exec.jar: build it "
                            + "first (./mvnw -pl embedding-service -am package -DskipTests; ./marquee test does)"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("embedding-service is not built: ./mvnw -pl embedding-service -am "
                    + "package -DskipTests (./marquee test does)", e);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx384m", "-XX:+UseSerialGC",
                "-Dspring.kafka.listener.auto-startup=false",
                "-Dmarquee.embedding.collection=" + collection,
                "-jar", jar.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("EMBEDDING_PORT", Integer.toString(port));
        builder.environment().put("MARQUEE_MODEL_DIR", MODULES.resolve("models/tiny-t5").toString());
        EmbeddingServiceProcess started = new EmbeddingServiceProcess(builder.start(), port);
        started.awaitHealthy(log);
        return started;
    }

    private void awaitHealthy(Path log) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plusSeconds(180);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the embedding service exited at start; its log: " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        close();
        throw new IllegalStateException("the embedding service was not healthy within 180 s; its log: " + log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
