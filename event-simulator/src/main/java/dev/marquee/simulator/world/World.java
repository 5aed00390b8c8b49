package dev.marquee.simulator.world;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.json.JsonMapper;

/**
 * A synthetic world: topics with vocabularies, items whose texts are drawn from their topic's words, and users whose
 * latent preference is a distribution over topics. Everything is a function of the seed.
 */
public final class World {
    public record Topic(String name, String category, List<String> words) {
    }

    record Vocabulary(List<String> generic, List<Topic> topics) {
    }

    /** A simulated user; {@code preference[t]} is the chance the next interaction is with topic t. */
    public record User(String userId, double[] preference) {
    }

    private final List<Topic> topics;
    private final List<String> generic;
    private final List<List<CatalogItem>> itemsByTopic = new ArrayList<>();
    private final List<User> users = new ArrayList<>();
    private final Random random;
    private long eventSequence;
    private final String runId;
    private final String idPrefix;

    public World(long seed, int itemsPerTopic, int userCount) {
        this(seed, itemsPerTopic, userCount, "");
    }

    /** @param idPrefix prepended to every item and user id, so that several worlds can share one platform */
    public World(long seed, int itemsPerTopic, int userCount, String idPrefix) {
        this.idPrefix = idPrefix;
        Vocabulary vocabulary = loadVocabulary();
        this.topics = vocabulary.topics();
        this.generic = vocabulary.generic();
        this.random = new Random(seed);
        this.runId = Long.toString(seed, 36) + "-" + Long.toString(System.currentTimeMillis(), 36);
        for (int t = 0; t < topics.size(); t++) {
            List<CatalogItem> items = new ArrayList<>();
            for (int i = 0; i < itemsPerTopic; i++) {
                items.add(item(t, i));
            }
            itemsByTopic.add(items);
        }
        for (int u = 0; u < userCount; u++) {
            users.add(new User(idPrefix + "user-" + u, preference()));
        }
    }

    public List<Topic> topicList() {
        return topics;
    }

    public List<CatalogItem> catalog() {
        return itemsByTopic.stream().flatMap(List::stream).toList();
    }

    public List<CatalogItem> itemsOf(int topic) {
        return itemsByTopic.get(topic);
    }

    public List<User> users() {
        return users;
    }

    /** The next interaction of a random user, drawn from that user's latent preference. */
    public InteractionEvent nextEvent(Instant at) {
        return eventFor(users.get(random.nextInt(users.size())), at);
    }

    public InteractionEvent eventFor(User user, Instant at) {
        int topic = sample(user.preference());
        List<CatalogItem> items = itemsByTopic.get(topic);
        // a Zipf-like skew inside the topic: low indexes are the topic's hits
        int index = (int) Math.min(items.size() - 1, Math.floor(items.size() * Math.pow(random.nextDouble(), 2)));
        double r = random.nextDouble();
        EventType type = r < 0.70 ? EventType.VIEW : r < 0.95 ? EventType.CLICK : EventType.PURCHASE;
        return new InteractionEvent("sim-" + runId + "-" + (eventSequence++), user.userId(),
                items.get(index).itemId(), type, at);
    }

    private CatalogItem item(int t, int i) {
        Topic topic = topics.get(t);
        String title = pick(generic) + " " + pick(topic.words()) + " " + pick(topic.words());
        StringBuilder description = new StringBuilder();
        for (int w = 0; w < 10; w++) {
            description.append(w > 0 ? " " : "").append(random.nextDouble() < 0.8 ? pick(topic.words()) : pick(generic));
        }
        double price = Math.round((5 + random.nextDouble() * 195) * 100) / 100.0;
        return new CatalogItem(idPrefix + "item-" + topic.name() + "-" + i, title, description.toString(), topic.category(), price);
    }

    private double[] preference() {
        double[] p = new double[topics.size()];
        int main = random.nextInt(p.length);
        int second = random.nextInt(p.length);
        for (int t = 0; t < p.length; t++) {
            p[t] = 0.05 / p.length;
        }
        p[main] += 0.75;
        p[second] += 0.20;
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        for (int t = 0; t < p.length; t++) {
            p[t] /= sum;
        }
        return p;
    }

    private int sample(double[] p) {
        double r = random.nextDouble();
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (r < acc) {
                return i;
            }
        }
        return p.length - 1;
    }

    private String pick(List<String> words) {
        return words.get(random.nextInt(words.size()));
    }

    private static Vocabulary loadVocabulary() {
        try (InputStream in = World.class.getResourceAsStream("/world/topics.json")) {
            return JsonMapper.builder().build().readValue(in, Vocabulary.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
