package dev.marquee.simulator.world;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * A synthetic world: topics with vocabularies, items whose texts are drawn from their topic's words, and users whose
 * latent preference is a distribution over topics. Everything is a function of the seed: no wall clock, no
 * unseeded randomness. How users react to what they are shown is {@link Behaviour}'s part.
 */
public final class World {
    /** Devices a session can come from. */
    public static final List<String> DEVICES = List.of("web", "ios", "android");

    public record Topic(String name, String category, List<String> words) {
    }

    record Vocabulary(List<String> generic, List<Topic> topics) {
    }

    /**
     * A simulated user; {@code preference[t]} is the chance an organic interaction is with topic t, and (relative to
     * the user's favourite topic) how much the user likes topic t. {@code device} is the one most sessions use.
     */
    public record User(String userId, double[] preference, String device) {
        /** The topic this user likes best. */
        public int favouriteTopic() {
            int best = 0;
            for (int t = 1; t < preference.length; t++) {
                if (preference[t] > preference[best]) {
                    best = t;
                }
            }
            return best;
        }
    }

    /** Where an item sits: its topic and its rank in that topic (0 is the topic's biggest hit). */
    public record Placement(int topic, int rank, double price) {
    }

    private final long seed;
    private final List<Topic> topics;
    private final List<String> generic;
    private final List<List<CatalogItem>> itemsByTopic = new ArrayList<>();
    private final List<CatalogItem> catalog;
    private final Map<String, Placement> placements = new HashMap<>();
    private final List<User> users = new ArrayList<>();
    private final Random random;
    private long eventSequence;
    private final String idPrefix;

    public World(long seed, int itemsPerTopic, int userCount) {
        this(seed, itemsPerTopic, userCount, "");
    }

    /** @param idPrefix prepended to every item, user, session, request and event id, so that worlds can share a platform */
    public World(long seed, int itemsPerTopic, int userCount, String idPrefix) {
        if (itemsPerTopic < 1 || userCount < 1) {
            throw new IllegalArgumentException("a world needs at least one item per topic and one user");
        }
        this.seed = seed;
        this.idPrefix = idPrefix;
        Vocabulary vocabulary = loadVocabulary();
        this.topics = vocabulary.topics();
        this.generic = vocabulary.generic();
        this.random = new Random(seed);
        for (int t = 0; t < topics.size(); t++) {
            List<CatalogItem> items = new ArrayList<>();
            for (int i = 0; i < itemsPerTopic; i++) {
                CatalogItem item = item(t, i);
                items.add(item);
                placements.put(item.itemId(), new Placement(t, i, item.price()));
            }
            itemsByTopic.add(List.copyOf(items));
        }
        this.catalog = itemsByTopic.stream().flatMap(List::stream).toList();
        // devices come from a stream of their own, so catalog and preferences are those of earlier versions
        SplittableRandom devices = new SplittableRandom(seed);
        for (int u = 0; u < userCount; u++) {
            double[] preference = preference();
            double d = devices.nextDouble();
            users.add(new User(idPrefix + "user-" + u, preference, DEVICES.get(d < 0.5 ? 0 : d < 0.8 ? 1 : 2)));
        }
    }

    public long seed() {
        return seed;
    }

    public String idPrefix() {
        return idPrefix;
    }

    public List<Topic> topicList() {
        return topics;
    }

    /** Every item, topic by topic. */
    public List<CatalogItem> catalog() {
        return catalog;
    }

    public List<CatalogItem> itemsOf(int topic) {
        return itemsByTopic.get(topic);
    }

    public List<User> users() {
        return users;
    }

    /** Where an item of this world sits, or {@code null} for an item this world did not make. */
    public Placement placement(String itemId) {
        return placements.get(itemId);
    }

    /**
     * How much the user likes the item, in [0, 1]: the user's preference for the item's topic relative to the
     * favourite topic, times the item's appeal (1 for a topic's biggest hit down to 0.6 for its tail). 0 for items this
     * world does not know.
     */
    public double affinity(User user, String itemId) {
        Placement p = placements.get(itemId);
        if (p == null) {
            return 0;
        }
        double[] pref = user.preference();
        double max = pref[user.favouriteTopic()];
        int size = itemsByTopic.get(p.topic()).size();
        double appeal = 1 - 0.4 * p.rank() / Math.max(1, size - 1);
        return pref[p.topic()] / max * appeal;
    }

    /**
     * An item the user finds on their own (search, browsing a category): the topic drawn from the user's preference,
     * the rank skewed towards the topic's hits.
     */
    public CatalogItem organicItem(User user, RandomGenerator rng) {
        return skewedItem(sample(user.preference(), rng), rng);
    }

    /** An item of the topic, low ranks (the hits) more likely: a Zipf-like skew. */
    public CatalogItem skewedItem(int topic, RandomGenerator rng) {
        List<CatalogItem> items = itemsByTopic.get(topic);
        int index = (int) Math.min(items.size() - 1, Math.floor(items.size() * Math.pow(rng.nextDouble(), 2)));
        return items.get(index);
    }

    /** The kind of an organic interaction: mostly views, some clicks, a few purchases. */
    public static EventType organicType(RandomGenerator rng) {
        double r = rng.nextDouble();
        return r < 0.70 ? EventType.VIEW : r < 0.95 ? EventType.CLICK : EventType.PURCHASE;
    }

    /** The next organic interaction of a random user (no session, no context). */
    public InteractionEvent nextEvent(Instant at) {
        return eventFor(users.get(random.nextInt(users.size())), at);
    }

    /**
     * An organic interaction of the user (a view, click or purchase of an item drawn from the user's preference), with
     * no session and no context; its id is unique in this world and the same for the same seed and call sequence.
     */
    public InteractionEvent eventFor(User user, Instant at) {
        CatalogItem item = organicItem(user, random);
        EventType type = organicType(random);
        return new InteractionEvent(idPrefix + "ev-" + Long.toString(seed, 36) + "-w-" + (eventSequence++),
                user.userId(), item.itemId(), type, at);
    }

    static int sample(double[] p, RandomGenerator rng) {
        double r = rng.nextDouble();
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (r < acc) {
                return i;
            }
        }
        return p.length - 1;
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
