package dev.marquee.embedding;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.embedding.catalog.CatalogEmbedder;
import dev.marquee.embedding.encoder.EncodeBatcher;
import dev.marquee.embedding.encoder.T5Encoder;
import dev.marquee.embedding.milvus.ItemIndex;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * micro-batched T5 → Milvus upsert → Redis) at batch sizes 1, 8, 32, 128, on real servers. Prints a table and, last,
 * {@code raw_items_per_s=… pipeline_items_per_s=… ratio=… device=…} for the default batch size (32).
 */
@EnabledIfEnvironmentVariable(named = "MARQUEE_BENCH", matches = "embed")
class EmbedBenchmark {
    private static final int[] BATCHES = {1, 8, 32, 128};
    private static final JsonMapper JSON = JsonMapper.builder().build();

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
        try (T5Encoder encoder = T5Encoder.load(modelDir, device)) {
            List<CatalogItem> catalog = catalog(items);
            List<String> texts = catalog.stream().map(CatalogItem::text).toList();
            encoder.encode(texts.subList(0, 64)); // warm-up
            lines.add(String.format(Locale.ROOT, "model=%s dim=%d device=%s items=%d", encoder.modelId(),
                    encoder.dimension(), encoder.device(), items));
            lines.add("batch  raw_items_per_s  pipeline_items_per_s  ratio");
            for (int batch : BATCHES) {
                int n = batch == 1 ? Math.min(items, 256) : items;
                double raw = raw(encoder, texts.subList(0, n), batch);
                double pipeline = pipeline(encoder, milvus, redis, catalog.subList(0, n), batch);
                lines.add(String.format(Locale.ROOT, "%5d  %15.0f  %20.0f  %5.2f", batch, raw, pipeline,
                        pipeline / raw));
                if (batch == 32) {
                    last = String.format(Locale.ROOT,
                            "raw_items_per_s=%.0f pipeline_items_per_s=%.0f ratio=%.2f device=%s batch=32",
                            raw, pipeline, pipeline / raw, encoder.device());
                }
            }
        } finally {
            milvus.close();
            redisFactory.destroy();
        }
        lines.forEach(System.out::println);
        System.out.println(last);
    }

    private static double raw(T5Encoder encoder, List<String> texts, int batch) {
        long t0 = System.nanoTime();
        for (int from = 0; from < texts.size(); from += batch) {
            encoder.encode(texts.subList(from, Math.min(texts.size(), from + batch)));
        }
        return texts.size() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Produce the items to a fresh topic, then time consume → encode → Milvus → Redis until all are stored. */
    private static double pipeline(T5Encoder encoder, MilvusClientV2 milvus, StringRedisTemplate redis,
                                   List<CatalogItem> items, int batch) throws Exception {
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
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 512);
        ItemIndex index = new ItemIndex(milvus, alias, encoder.dimension());
        try (EncodeBatcher batcher = new EncodeBatcher(encoder::encode, batch, Duration.ofMillis(2), 256);
             KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                     new StringDeserializer())) {
            CatalogEmbedder embedder = new CatalogEmbedder(batcher, encoder, index, new FeatureStore(redis),
                    new SimpleMeterRegistry());
            consumer.subscribe(List.of(topic));
            // wait for the assignment and the first records before the clock starts
            var first = consumer.poll(Duration.ofSeconds(10));
            while (first.isEmpty()) {
                first = consumer.poll(Duration.ofSeconds(1));
            }
            long t0 = System.nanoTime();
            int done = 0;
            var records = first;
            while (true) {
                List<CatalogItem> chunk = new ArrayList<>();
                for (ConsumerRecord<String, String> r : records) {
                    chunk.add(JSON.readValue(r.value(), CatalogItem.class));
                }
                embedder.embed(chunk);
                consumer.commitSync();
                done += chunk.size();
                if (done >= items.size()) {
                    break;
                }
                records = consumer.poll(Duration.ofSeconds(5));
            }
            return done / ((System.nanoTime() - t0) / 1e9);
        } finally {
            String physical = index.currentCollection();
            milvus.dropAlias(DropAliasReq.builder().alias(alias).build());
            milvus.dropCollection(DropCollectionReq.builder().collectionName(physical).build());
        }
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
