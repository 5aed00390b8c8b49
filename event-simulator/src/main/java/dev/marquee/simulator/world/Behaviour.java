package dev.marquee.simulator.world;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventContext;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The latent users acting: which user comes next, their sessions, what they find on their own, and how they react to
 * a list under the {@link ClickModel}. One instance is one deterministic stream: the same world, models, seed and
 * stream name give the same decisions and the same ids for the same calls. Decisions never read the wall clock; the
 * instants passed in only become timestamps (and, in {@link #sessionFor}, simulated idle time). Not thread-safe.
 */
public final class Behaviour {
    /** Pages an event can happen on. */
    public static final String HOME = "home";
    public static final String ITEM = "item";
    public static final String CHECKOUT = "checkout";
    public static final String SEARCH = "search";
    private static final int MAX_SESSION_STEPS = 1000;

    /** A session: {@code id} is {@code null} for an anonymous one (the server makes its own time-window sessions). */
    public record Session(String id, String device) {
    }

    /** An item in a list the user is shown, at its 0-based position. */
    public record Shown(int position, String itemId) {
    }

    private record Ongoing(Session session, int stepsLeft, Instant lastActive) {
    }

    private final World world;
    private final ClickModel clicks;
    private final SessionModel sessions;
    private final SplittableRandom random;
    private final String idBase;
    private final Map<String, Ongoing> ongoing = new HashMap<>();
    private long events;
    private long requests;
    private long sessionCount;

    /** @param stream names this stream in every id it makes (e.g. {@code b1} for the first run, a backfill) */
    public Behaviour(World world, ClickModel clicks, SessionModel sessions, long seed, String stream) {
        this.world = world;
        this.clicks = clicks;
        this.sessions = sessions;
        this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + stream.hashCode());
        this.idBase = "-" + Long.toString(seed, 36) + "-" + stream + "-";
    }

    public World world() {
        return world;
    }

    public ClickModel clicks() {
        return clicks;
    }

    /** The next user to act, uniformly. */
    public World.User pickUser() {
        List<World.User> users = world.users();
        return users.get(random.nextInt(users.size()));
    }

    /** A new session of the user: mostly on the user's own device, anonymous with the configured share. */
    public Session newSession(World.User user) {
        String id = random.nextDouble() < sessions.anonymousShare() ? null : id("ss", sessionCount++);
        String device = random.nextDouble() < 0.8 ? user.device()
                : World.DEVICES.get(random.nextInt(World.DEVICES.size()));
        return new Session(id, device);
    }

    /** How many steps a new session lasts: geometric with the configured mean, at least 1. */
    public int sessionLength() {
        double m = sessions.meanSteps();
        if (m <= 1) {
            return 1;
        }
        double u = 1 - random.nextDouble(); // (0, 1]
        long steps = 1 + (long) Math.floor(Math.log(u) / Math.log(1 - 1 / m));
        return (int) Math.min(MAX_SESSION_STEPS, steps);
    }

    /**
     * The session the user's next step belongs to in a stream: the ongoing one while it has steps left and the user
     * was active within the idle gap (of simulated time {@code at}), else a new one.
     */
    public Session sessionFor(World.User user, Instant at) {
        Ongoing o = ongoing.get(user.userId());
        if (o == null || o.stepsLeft() <= 0 || Duration.between(o.lastActive(), at).compareTo(sessions.idleGap()) > 0) {
            o = new Ongoing(newSession(user), sessionLength(), at);
        }
        ongoing.put(user.userId(), new Ongoing(o.session(), o.stepsLeft() - 1, at));
        return o.session();
    }

    /** Whether the next step is an organic interaction rather than a list. */
    public boolean browsesNext() {
        return random.nextDouble() < sessions.browseShare();
    }

    /** An organic interaction (search page): item and kind drawn as {@link World#eventFor} draws them. */
    public InteractionEvent browse(World.User user, Session session, Instant at) {
        CatalogItem item = world.organicItem(user, random);
        EventType type = World.organicType(random);
        return event(user, item.itemId(), type, at, session, SEARCH, null, null,
                type == EventType.PURCHASE ? item.price() : null);
    }

    /**
     * A list made up without any recommender (for backfill and the open-loop stream): each slot holds, with chance
     * {@code relevance}, an item of a topic drawn from the user's preference, else an item of a uniformly drawn topic;
     * hits are likelier in both. Distinct items, at most the catalog size.
     */
    public List<Shown> madeUpList(World.User user, int k, double relevance) {
        List<CatalogItem> catalog = world.catalog();
        int n = Math.min(k, catalog.size());
        Set<String> ids = new LinkedHashSet<>();
        int topicCount = world.topicList().size();
        for (int tries = 0; ids.size() < n && tries < 50 * n; tries++) {
            int topic = random.nextDouble() < relevance ? World.sample(user.preference(), random)
                    : random.nextInt(topicCount);
            ids.add(world.skewedItem(topic, random).itemId());
        }
        for (int i = 0; ids.size() < n; i++) { // only when the catalog is tiny: fill in catalog order
            ids.add(catalog.get(i).itemId());
        }
        List<Shown> shown = new ArrayList<>(n);
        for (String id : ids) {
            shown.add(new Shown(shown.size(), id));
        }
        return shown;
    }

    /** A request id for a made-up list. */
    public String newRequestId() {
        return id("rq", requests++);
    }

    /**
     * What the user does with a list: optionally an impression per shown item, then, in position order, a click on
     * each item the user examines and likes, possibly followed by add-to-cart, purchase and a rating. Every event
     * carries the session and, in its context, the request id and the item's position. The first event is at
     * {@code at}, each later one {@code spacing} after the previous.
     */
    public List<InteractionEvent> react(World.User user, Session session, String requestId, List<Shown> shown,
                                        Instant at, Duration spacing, boolean impressions) {
        List<InteractionEvent> out = new ArrayList<>();
        Instant t = at;
        if (impressions) {
            for (Shown s : shown) {
                out.add(event(user, s.itemId(), EventType.IMPRESSION, t, session, HOME, s.position(), requestId, null));
            }
        }
        for (Shown s : shown) {
            if (random.nextDouble() >= clicks.examination(s.position())) {
                continue;
            }
            double affinity = world.affinity(user, s.itemId());
            double perceived = affinity + clicks.noise() * random.nextGaussian();
            if (random.nextDouble() >= clicks.clickProbability(perceived)) {
                continue;
            }
            t = out.isEmpty() ? t : t.plus(spacing);
            out.add(event(user, s.itemId(), EventType.CLICK, t, session, HOME, s.position(), requestId, null));
            if (random.nextDouble() < clicks.cartRate() * affinity) {
                t = t.plus(spacing);
                out.add(event(user, s.itemId(), EventType.ADD_TO_CART, t, session, ITEM, s.position(), requestId, null));
                if (random.nextDouble() < clicks.purchaseRate()) {
                    World.Placement p = world.placement(s.itemId());
                    t = t.plus(spacing);
                    out.add(event(user, s.itemId(), EventType.PURCHASE, t, session, CHECKOUT, s.position(), requestId,
                            p == null ? null : p.price()));
                }
            }
            if (random.nextDouble() < clicks.ratingRate()) {
                t = t.plus(spacing);
                out.add(event(user, s.itemId(), EventType.RATING, t, session, ITEM, s.position(), requestId,
                        rating(affinity)));
            }
        }
        return out;
    }

    /** A uniform draw in [0, 1) from this stream (for timing decisions of the modes). */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** 0.5 to 5 stars in half steps, centred on 0.5 + 4.5 x affinity. */
    private double rating(double affinity) {
        double stars = 0.5 + 4.5 * affinity + 0.5 * random.nextGaussian();
        return Math.max(0.5, Math.min(5.0, Math.round(stars * 2) / 2.0));
    }

    private InteractionEvent event(World.User user, String itemId, EventType type, Instant at, Session session,
                                   String page, Integer position, String requestId, Double value) {
        EventContext context = new EventContext(session.device(), page, position, requestId, null);
        return new InteractionEvent(id("ev", events++), user.userId(), itemId, type, at, session.id(), context, value);
    }

    private String id(String kind, long n) {
        return world.idPrefix() + kind + idBase + n;
    }
}
