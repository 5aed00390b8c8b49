package dev.marquee.retrieval.source;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.marquee.common.Metrics;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.recommend.AnnList;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.retrieval.config.RetrievalProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.stereotype.Component;

/**
 * Each user's ANN list ({@link AnnList}, {@link RedisKeys#annList}), computed off the request path: the stream
 * consumer marks a user due ({@link RedisKeys#ANN_DUE}) when an event moves their taste vector, and this loop takes
 * up to {@code ann-list-batch} due users at a time ({@code SPOP}: several retrieval processes share the work), reads
 * their taste, searches Milvus once for all of them and writes their lists. The request path reads the list with the
 * user's state, in the same round trip, and never waits for Milvus for a user who has one (docs/architecture.md, "ANN
 * off the request path").
 *
 * <p>Why not search on the request path, as before: a Milvus search has a fixed cost per call, and traffic of many
 * users, whose taste changes between asks, made most requests search while their user waited (issue 27; figures in
 * docs/benchmarks.md, "2026-12-07: the live regime"). Here the fixed cost is shared by a batch, and a request costs
 * one more Redis value read. The price is staleness: a list lags its user's taste by up to
 * {@code ann-list-min-interval} plus a round; what a click changes at once comes from the sources that read live
 * (transitions, co-visitation).
 */
@Component
public class AnnLists {
    private static final Logger log = LoggerFactory.getLogger(AnnLists.class);
    /** After a failed round (Milvus or Redis down), the pause before the next. */
    private static final long FAILED_ROUND_PAUSE_MILLIS = 1000;
    private final FeatureStore store;
    private final ItemVectorSearch search;
    private final CatalogVersion catalog;
    private final RetrievalProperties props;
    private final Counter computed;
    private final Timer rounds;
    /** Users asked for who have no list: taken before the due set in the next round; bounded. */
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    /** When this process last computed each user's list (clock nanoseconds), for {@code ann-list-min-interval}. */
    private final Cache<String, Long> computedAt;
    /** Users due again within the min interval of their last list, and when they may be computed (nanoseconds). */
    private final Map<String, Long> deferred = new HashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ann-lists");
        t.setDaemon(true);
        return t;
    });

    AnnLists(FeatureStore store, ItemVectorSearch search, CatalogVersion catalog, RetrievalProperties props,
             MeterRegistry meters) {
        this.store = store;
        this.search = search;
        this.catalog = catalog;
        this.props = props;
        this.computed = Counter.builder(Metrics.ANN_LISTS).description("ANN lists computed off the request path")
                .register(meters);
        this.rounds = Timer.builder(Metrics.ANN_LIST_ROUND).register(meters);
        this.computedAt = Caffeine.newBuilder().expireAfterWrite(props.annListMinInterval()).build();
    }

    @PostConstruct
    void start() {
        if (props.annLists()) {
            loop.execute(this::run);
        }
    }

    @PreDestroy
    void stop() {
        loop.shutdownNow();
    }

    /** Whether lists are computed and served ({@code marquee.retrieval.ann-lists}). */
    public boolean enabled() {
        return props.annLists();
    }

    /**
     * The query's answer from the user's list, or {@code null} when it cannot give one: no list, lists off, or a
     * category-filtered query (Milvus applies those filters; a list is of the whole catalog). A list searched in an
     * older catalog is served and computed again in the background; a user without one is computed with the next
     * round.
     */
    List<Candidate> answer(CandidateQuery query, String source, String reason) {
        if (!props.annLists() || query.filters().restrictsCategories()) {
            return null;
        }
        AnnList list = query.annList();
        long current = catalog.getAsLong();
        if (list == null || (current != CatalogVersion.UNKNOWN && list.catalogVersion() != current)) {
            want(query.user().userId());
        }
        return list == null ? null : list.candidates(query.n(), query.exclude(), source, reason);
    }

    /** The user has no list (or one searched in another catalog): compute theirs with the next round. */
    void want(String userId) {
        if (props.annLists() && wanted.size() < 10 * props.annListBatch()) {
            wanted.add(userId);
        }
    }

    private void run() {
        long pause;
        try {
            pause = round() < props.annListBatch() ? props.annListIdle().toMillis() : 0;
        } catch (RuntimeException e) {
            log.warn("ANN lists: round failed, next in {} ms: {}", FAILED_ROUND_PAUSE_MILLIS, e.toString());
            pause = FAILED_ROUND_PAUSE_MILLIS;
        }
        if (!loop.isShutdown()) {
            loop.schedule(this::run, pause, TimeUnit.MILLISECONDS);
        }
    }

    /** One round: the lists of up to a batch of due users. Returns how many users it took. */
    int round() {
        List<String> users = take(props.annListBatch());
        if (users.isEmpty()) {
            return 0;
        }
        long start = System.nanoTime();
        try {
            compute(users);
        } catch (RuntimeException e) { // nothing is lost: the users are due again
            store.pipelined(c -> {
                c.setCommands().sAdd(FeatureStore.bytes(RedisKeys.ANN_DUE),
                        users.stream().map(FeatureStore::bytes).toArray(byte[][]::new));
                return null;
            });
            throw e;
        }
        rounds.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return users.size();
    }

    /**
     * Up to {@code n} users: those wanted on the request path first, then those deferred whose time came, then due
     * ones; a due user whose list this process computed less than {@code ann-list-min-interval} ago is deferred to
     * that interval's end instead (a user clicking away costs one search per interval, not one per event). Runs on
     * the loop's thread only.
     */
    private List<String> take(int n) {
        Set<String> out = new HashSet<>();
        for (Iterator<String> it = wanted.iterator(); it.hasNext() && out.size() < n; ) {
            out.add(it.next());
            it.remove();
        }
        long now = System.nanoTime();
        for (Iterator<Map.Entry<String, Long>> it = deferred.entrySet().iterator(); it.hasNext() && out.size() < n; ) {
            Map.Entry<String, Long> e = it.next();
            if (e.getValue() - now <= 0) {
                out.add(e.getKey());
                it.remove();
            }
        }
        int popped = 0;
        while (out.size() < n && popped < n) {
            List<String> due = popDue(n - out.size());
            popped += due.size();
            for (String u : due) {
                Long last = computedAt.getIfPresent(u);
                if (last != null && !out.contains(u)) {
                    deferred.merge(u, last + props.annListMinInterval().toNanos(), Math::min);
                } else {
                    out.add(u);
                }
            }
            if (due.isEmpty()) {
                break;
            }
        }
        return List.copyOf(out);
    }

    /** Up to {@code n} users of the due set, taken out of it. */
    private List<String> popDue(int n) {
        List<String> out = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<byte[]> popped = (List<byte[]>) store.pipelined(c -> {
            c.setCommands().sPop(FeatureStore.bytes(RedisKeys.ANN_DUE), n);
            return null;
        }).get(0);
        if (popped != null) {
            popped.forEach(b -> out.add(new String(b, StandardCharsets.UTF_8)));
        }
        return out;
    }

    private void compute(List<String> userIds) {
        List<Object> states = store.pipelined(c -> {
            userIds.forEach(u -> c.stringCommands().get(FeatureStore.bytes(RedisKeys.user(u))));
            return null;
        });
        List<UserFeatures> users = new ArrayList<>();
        for (int i = 0; i < userIds.size(); i++) {
            UserFeatures u = UserState.features((byte[]) states.get(i), userIds.get(i));
            if (u.hasTaste()) {
                users.add(u);
            }
        }
        if (users.isEmpty()) {
            return;
        }
        long version = catalog.getAsLong();
        int size = props.annListSize();
        int topK = size + users.stream().mapToInt(u -> u.recentItems().size()).max().orElse(0);
        List<List<AnnBatcher.Hit>> hits = search.nearestOfEach(users.stream().map(UserFeatures::taste).toList(), topK);
        Expiration ttl = Expiration.from(props.annListTtl());
        store.pipelined(c -> {
            for (int i = 0; i < users.size(); i++) {
                UserFeatures u = users.get(i);
                Set<String> seen = Set.copyOf(u.recentItems());
                List<AnnBatcher.Hit> kept = hits.get(i).stream().filter(h -> !seen.contains(h.itemId()))
                        .limit(size).toList();
                float[] scores = new float[kept.size()];
                for (int j = 0; j < scores.length; j++) {
                    scores[j] = kept.get(j).score();
                }
                AnnList list = new AnnList(u.eventCount(), version, kept.stream().map(AnnBatcher.Hit::itemId)
                        .toList(), scores);
                c.stringCommands().set(FeatureStore.bytes(RedisKeys.annList(u.userId())), list.toBytes(), ttl,
                        SetOption.upsert());
            }
            return null;
        });
        computed.increment(users.size());
        long now = System.nanoTime();
        users.forEach(u -> computedAt.put(u.userId(), now));
    }
}
