package dev.marquee.embedding;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.embedding.catalog.CatalogBatch;
import dev.marquee.embedding.catalog.CatalogEmbedder;
import dev.marquee.embedding.config.EmbeddingProperties;
import dev.marquee.embedding.encoder.EncodeBatcher;
import dev.marquee.embedding.encoder.T5Encoder;
import dev.marquee.embedding.milvus.ItemIndex;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./marquee bench embed}: items/s of the raw DJL forward pass and of the whole pipeline (Kafka consumer →
 * JSON → micro-batched T5 → Milvus upsert → Redis → offset commit) at batch sizes 1, 8, 32, 128, on real servers.
 * Prints a table, where the pipeline's time went per batch size ({@code profile …} lines), the raw forward pass with
 * and without sequence bucketing on the catalog texts and on texts of widely mixed length ({@code bucketing …}), and,
 * last, {@code raw_items_per_s=… pipeline_items_per_s=… ratio=… device=…} for the default batch size (32).
 *
 * <p>The pipeline is the consumer's: one poll is parsed and encoded on the polling thread while the previous poll's
 * writes run ({@link CatalogEmbedder.WriteStream}); offsets are committed only for polls whose writes are done.
 * Env: {@code MARQUEE_BENCH_MODE=sync} runs the previous path instead (encode, write, commit, then poll again, 256-row
 * upserts); {@code MARQUEE_BUCKETING=true|false} overrides the service default; {@code MARQUEE_WRITE_BATCH}.
 */
@EnabledIfEnvironmentVariable(named = "MARQUEE_BENCH", matches = "embed")
class EmbedBenchmark {
    private static final int[] BATCHES = {1, 8, 32, 128};
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long any wait of the benchmark may go without progress before it fails, saying where it stood. */
    private static final Duration STALL = Duration.ofSeconds(60);

    @Test
    void benchmark() throws Exception {
        Path modelDir = Path.of(System.getenv().getOrDefault("MARQUEE_MODEL_DIR", "../models/tiny-t5"));
        String device = System.getenv().getOrDefault("MARQUEE_DEVICE", "auto");
        int items = Integer.parseInt(System.getenv().getOrDefault("MARQUEE_BENCH_ITEMS", "1024"));
        MilvusClientV2 milvus = new MilvusClientV2(ConnectConfig.builder().uri(System.getenv("MILVUS_URI")).build());
        LettuceConnectionFactory redisFactory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", Integer.parseInt(System.getenv("REDIS_PORT"))));
        redisFactory.afterPropertiesSet();
        StringRedisTemplate redis = new StringRedisTemplate(redisFactory);
        List<String> lines = new ArrayList<>();
        String last = null;
        boolean bucketing = Boolean.parseBoolean(System.getenv().getOrDefault("MARQUEE_BUCKETING",
                EmbeddingProperties.BUCKETING_DEFAULT));
        boolean sync = "sync".equals(System.getenv("MARQUEE_BENCH_MODE"));
        int writeBatch = Integer.parseInt(System.getenv().getOrDefault("MARQUEE_WRITE_BATCH", sync ? "256" : "512"));
        T5Encoder.Options options = new T5Encoder.Options(false, bucketing,
                Integer.parseInt(EmbeddingProperties.BUCKET_OVERHEAD_DEFAULT));
        try (T5Encoder encoder = T5Encoder.load(modelDir, device, options)) {
            List<CatalogItem> catalog = catalog(items);
            List<String> texts = catalog.stream().map(CatalogItem::text).toList();
            encoder.encode(texts.subList(0, 64)); // warm-up
            encoder.encode(texts.subList(0, 64), !bucketing);
            lines.add(String.format(Locale.ROOT,
                    "model=%s dim=%d device=%s precision=%s items=%d bucketing=%s mode=%s write_batch=%d",
                    encoder.modelId(), encoder.dimension(), encoder.device(), encoder.precision(), items, bucketing,
                    sync ? "sync" : "pipelined", writeBatch));
            lines.add("batch  raw_items_per_s  pipeline_items_per_s  ratio");
            // raw first, on a quiet stack (Milvus keeps compacting and indexing for a while after upserts), best of
            // two rounds; then one untimed pipeline run to warm the Kafka, Milvus and Redis client paths
            double[] raws = new double[BATCHES.length];
            for (int round = 0; round < 2; round++) {
                for (int b = 0; b < BATCHES.length; b++) {
                    int n = BATCHES[b] == 1 ? Math.min(items, 256) : items;
                    raws[b] = Math.max(raws[b], raw(encoder, texts.subList(0, n), BATCHES[b], bucketing));
                }
            }
            pipeline(encoder, milvus, redis, catalog(64), 32, sync, writeBatch, new ArrayList<>());
            List<String> profiles = new ArrayList<>();
            for (int b = 0; b < BATCHES.length; b++) {
                int batch = BATCHES[b];
                int n = batch == 1 ? Math.min(items, 256) : items;
                double raw = raws[b];
                Thread.sleep(2_000); // let the previous run's background work in Milvus settle
                double pipeline = pipeline(encoder, milvus, redis, catalog.subList(0, n), batch, sync, writeBatch,
                        profiles);
                lines.add(String.format(Locale.ROOT, "%5d  %15.0f  %20.0f  %5.2f", batch, raw, pipeline,
                        pipeline / raw));
                if (batch == 32) {
                    last = String.format(Locale.ROOT,
                            "raw_items_per_s=%.0f pipeline_items_per_s=%.0f ratio=%.2f device=%s batch=32",
                            raw, pipeline, pipeline / raw, encoder.device());
                }
            }
            lines.addAll(profiles);
            if (!"false".equals(System.getenv("MARQUEE_BENCH_BUCKETING"))) {
                lines.addAll(bucketingComparison(encoder, texts, mixedTexts(Math.min(items, 512))));
            }
        } finally {
            milvus.close();
            redisFactory.destroy();
        }
        lines.forEach(System.out::println);
        System.out.println(last);
    }

    /** Raw items/s with bucketing off and on, same texts, batch sizes 8/32/128 (batch 1 has nothing to bucket). */
    private static List<String> bucketingComparison(T5Encoder encoder, List<String> catalogTexts,
                                                    List<String> mixed) {
        List<String> out = new ArrayList<>();
        for (var set : List.of(Map.entry("catalog", catalogTexts), Map.entry("mixed", mixed))) {
            for (int batch : new int[] {8, 32, 128}) {
                // alternate the order, best of two rounds each, to spread the machine's noise over both
                double off = 0;
                double on = 0;
                for (int round = 0; round < 2; round++) {
                    off = Math.max(off, raw(encoder, set.getValue(), batch, false));
                    on = Math.max(on, raw(encoder, set.getValue(), batch, true));
                }
                out.add(String.format(Locale.ROOT,
                        "bucketing texts=%s batch=%d off_items_per_s=%.0f on_items_per_s=%.0f gain=%.2f",
                        set.getKey(), batch, off, on, on / off));
            }
        }
        return out;
    }

    private static double raw(T5Encoder encoder, List<String> texts, int batch, boolean bucketing) {
        long t0 = System.nanoTime();
        for (int from = 0; from < texts.size(); from += batch) {
            encoder.encode(texts.subList(from, Math.min(texts.size(), from + batch)), bucketing);
        }
        return texts.size() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Produce the items to a fresh topic, then time consume → encode → Milvus → Redis until all are stored. */
    private static double pipeline(T5Encoder encoder, MilvusClientV2 milvus, StringRedisTemplate redis,
                                   List<CatalogItem> items, int batch, boolean sync, int writeBatch,
                                   List<String> profiles) throws Exception {
        String topic = "bench-catalog-" + UUID.randomUUID();
        String alias = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, System.getenv("KAFKA_BOOTSTRAP"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            for (CatalogItem item : items) {
                producer.send(new ProducerRecord<>(topic, item.itemId(), JSON.writeValueAsString(item)));
            }
            producer.flush();
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, System.getenv("KAFKA_BOOTSTRAP"));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 512);
        ItemIndex index = new ItemIndex(milvus, alias, encoder.dimension(), Duration.ZERO);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (EncodeBatcher batcher = new EncodeBatcher(encoder::encode, batch, Duration.ofMillis(2), 256);
             KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                     new StringDeserializer())) {
            CatalogEmbedder embedder = new CatalogEmbedder(batcher, encoder, index, new FeatureStore(redis),
                    meters, writeBatch, 2);
            CatalogEmbedder.WriteStream stream = embedder.newStream();
            Deque<Map.Entry<Map<TopicPartition, OffsetAndMetadata>, CompletableFuture<Void>>> pending =
                    new ArrayDeque<>();
            consumer.subscribe(List.of(topic));
            // wait for the assignment and the first records before the clock starts
            var first = consumer.poll(Duration.ofSeconds(10));
            long waitUntil = System.nanoTime() + STALL.toNanos();
            while (first.isEmpty()) {
                if (System.nanoTime() - waitUntil > 0) {
                    throw new IllegalStateException("no record of " + items.size() + " produced to " + topic
                            + " reached the consumer within " + STALL.plusSeconds(10));
                }
                first = consumer.poll(Duration.ofSeconds(1));
            }
            long t0 = System.nanoTime();
            long pollNanos = 0;
            long jsonNanos = 0;
            long commitNanos = 0;
            int done = 0;
            var records = first;
            long lastRecord = System.nanoTime();
            while (true) {
                List<ConsumerRecord<String, String>> polled = new ArrayList<>();
                records.forEach(polled::add);
                long j0 = System.nanoTime();
                List<CatalogItem> chunk = CatalogBatch.latest(polled, JSON);
                jsonNanos += System.nanoTime() - j0;
                if (sync) {
                    embedder.embed(chunk);
                    long c0 = System.nanoTime();
                    consumer.commitSync();
                    commitNanos += System.nanoTime() - c0;
                } else {
                    pending.add(Map.entry(nextOffsets(polled), stream.embedAsync(chunk)));
                    long c0 = System.nanoTime();
                    commitWritten(consumer, pending, false);
                    commitNanos += System.nanoTime() - c0;
                }
                done += polled.size();
                if (done >= items.size()) {
                    break;
                }
                long p0 = System.nanoTime();
                records = consumer.poll(Duration.ofSeconds(5));
                pollNanos += System.nanoTime() - p0;
                if (!records.isEmpty()) {
                    lastRecord = System.nanoTime();
                } else if (System.nanoTime() - lastRecord > STALL.toNanos()) {
                    throw new IllegalStateException("pipeline stalled: " + done + " of " + items.size()
                            + " records consumed from " + topic + ", none for " + STALL + " (assigned "
                            + consumer.assignment() + ", positions " + positions(consumer) + ")");
                }
            }
            long c0 = System.nanoTime();
            commitWritten(consumer, pending, true);
            commitNanos += System.nanoTime() - c0;
            long elapsed = System.nanoTime() - t0;
            if (stream.failure() != null) {
                throw new IllegalStateException("pipeline write failed", stream.failure());
            }
            profiles.add(String.format(Locale.ROOT,
                    "profile batch=%d total_ms=%.0f poll_ms=%.0f json_ms=%.0f encode_ms=%.0f backpressure_ms=%.0f "
                            + "commit_wait_ms=%.0f | writer: milvus_ms=%.0f (%d upserts) redis_ms=%.0f",
                    batch, elapsed / 1e6, pollNanos / 1e6, jsonNanos / 1e6, stage(meters, "encode"),
                    stage(meters, "backpressure"), commitNanos / 1e6, stage(meters, "milvus"),
                    meters.get(CatalogEmbedder.STAGE_TIMER).tag("stage", "milvus").timer().count(),
                    stage(meters, "redis")));
            return done / (elapsed / 1e9);
        } finally {
            String physical = index.currentCollection();
            milvus.dropAlias(DropAliasReq.builder().alias(alias).build());
            milvus.dropCollection(DropCollectionReq.builder().collectionName(physical).build());
        }
    }

    /** Where the consumer stands on each partition it holds: what a stalled run reports. */
    private static Map<TopicPartition, Long> positions(KafkaConsumer<String, String> consumer) {
        Map<TopicPartition, Long> out = new HashMap<>();
        consumer.assignment().forEach(tp -> out.put(tp, consumer.position(tp)));
        return out;
    }

    private static double stage(SimpleMeterRegistry meters, String stage) {
        Timer t = meters.find(CatalogEmbedder.STAGE_TIMER).tag("stage", stage).timer();
        return t == null ? 0 : t.totalTime(TimeUnit.MILLISECONDS);
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<String, String>> polled) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<String, String> r : polled) {
            next.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return next;
    }

    /** Commits the offsets of the polls whose writes are done, in poll order (all of them, waiting, if {@code all}). */
    private static void commitWritten(KafkaConsumer<String, String> consumer,
                                      Deque<Map.Entry<Map<TopicPartition, OffsetAndMetadata>,
                                              CompletableFuture<Void>>> pending, boolean all) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        while (!pending.isEmpty() && (all || pending.peekFirst().getValue().isDone())) {
            var head = pending.pollFirst();
            try { // a failed write throws here: nothing from it on is committed
                head.getValue().get(STALL.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("a Milvus/Redis write of the pipeline did not finish within "
                        + STALL, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("pipeline write failed", e.getCause());
            }
            commit.putAll(head.getKey());
        }
        if (!commit.isEmpty()) {
            if (all) {
                consumer.commitSync(commit);
            } else {
                consumer.commitAsync(commit, null);
            }
        }
    }

    /** Texts from 3 to about 120 words (truncated at the model's max length), uniformly mixed. */
    private static List<String> mixedTexts(int n) {
        Random random = new Random(11);
        String[] words = {"hiking", "tent", "trail", "espresso", "skillet", "guitar", "piano", "puzzle", "robot",
            "kite", "lantern", "kettle", "vinyl", "castle", "summit", "melody"};
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int length = random.nextInt(4) == 0 ? 40 + random.nextInt(80) : 3 + random.nextInt(20);
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < length; w++) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            out.add(text.toString().trim());
        }
        return out;
    }

    private static List<CatalogItem> catalog(int n) {
        String[][] vocab = {
            {"hiking", "tent", "trail", "summit", "kayak", "lantern", "compass", "alpine"},
            {"espresso", "skillet", "kettle", "whisk", "oven", "ladle", "wok", "pantry"},
            {"guitar", "amplifier", "piano", "drum", "vinyl", "melody", "studio", "chord"},
            {"puzzle", "blocks", "teddy", "robot", "kite", "crayons", "rocket", "castle"}};
        Random random = new Random(5);
        List<CatalogItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String[] words = vocab[i % vocab.length];
            StringBuilder description = new StringBuilder();
            int length = 4 + random.nextInt(20);
            for (int w = 0; w < length; w++) {
                description.append(words[random.nextInt(words.length)]).append(' ');
            }
            out.add(new CatalogItem("bench-" + i, words[0] + " " + words[random.nextInt(words.length)],
                    description.toString().trim(), "c" + (i % vocab.length), 10.0 + i % 90));
        }
        return out;
    }
}
