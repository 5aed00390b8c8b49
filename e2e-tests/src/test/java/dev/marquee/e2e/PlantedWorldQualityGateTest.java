package dev.marquee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.World;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The quality gate on the simulator's planted world, through the public API of the running stack: the users' latent
 * tastes are known, so the best possible list of each user is known (the oracle: their unseen items by latent
 * affinity). Marquee's lists must reach an NDCG@10 (gain = the latent affinity, normalised by the oracle's DCG) of at
 * least {@link #OF_ORACLE} of the oracle's and 1.5 times the popular list's (this world's items by their interactions
 * in its history). The figures are printed.
 */
class PlantedWorldQualityGateTest {
    private static final int K = 10;
    /**
     * A floor against regressions, below the 0.8 that the quality goal asks for (issue 26; the figures of each version
     * are in docs/benchmarks.md).
     */
    private static final double OF_ORACLE = 0.65;
    private static final double OF_POPULAR = 1.5;
    private final Stack stack = Stack.fromEnvironment();
    private final String run = "qg" + UUID.randomUUID().toString().substring(0, 6) + "-";
    private final World world = new World(31, 15, 60, run);

    @Test
    void listsReachSixtyFivePercentOfTheOracleAndOneAndAHalfTimesPopular() throws Exception {
        List<CatalogItem> catalog = Scenario.catalog(stack, world);
        Map<String, Set<String>> seen = new HashMap<>();
        Map<String, Integer> interactions = new HashMap<>();
        for (InteractionEvent e : Scenario.history(stack, world, 20)) {
            seen.computeIfAbsent(e.userId(), u -> new HashSet<>()).add(e.itemId());
            interactions.merge(e.itemId(), 1, Integer::sum);
        }
        Scenario.trainedModel(stack);
        // the popular baseline: this world's items by how often they were interacted with in its history
        List<String> popular = catalog.stream().map(CatalogItem::itemId)
                .sorted(Comparator.comparingInt((String id) -> -interactions.getOrDefault(id, 0))
                        .thenComparing(id -> id)).toList();

        double marquee = 0;
        double ofPopular = 0;
        for (World.User user : world.users()) {
            Set<String> userSeen = seen.getOrDefault(user.userId(), Set.of());
            double ideal = dcg(user, catalog.stream().map(CatalogItem::itemId).filter(id -> !userSeen.contains(id))
                    .sorted(Comparator.comparingDouble((String id) -> -world.affinity(user, id))).toList());
            marquee += dcg(user, ids(recommend(user.userId()))) / ideal;
            ofPopular += dcg(user, popular.stream().filter(id -> !userSeen.contains(id)).toList()) / ideal;
        }
        int users = world.users().size();
        marquee /= users;
        ofPopular /= users;
        System.out.printf("quality gate (planted world, %d users, %d items): ndcg10 marquee=%.4f popular=%.4f"
                + " oracle=1.0000 marquee/popular=%.2f%n", users, catalog.size(), marquee, ofPopular,
                marquee / ofPopular);

        assertThat(marquee).as("NDCG@10 of Marquee's lists, relative to the oracle's").isGreaterThanOrEqualTo(OF_ORACLE);
        assertThat(marquee).as("NDCG@10 of Marquee against popular's " + ofPopular)
                .isGreaterThanOrEqualTo(OF_POPULAR * ofPopular);
    }

    /** The user's list, once an answer is not degraded (a cold JVM may miss a budget at first), at most 10 s. */
    private JsonNode recommend(String user) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        JsonNode r = stack.get("gateway", "/recommend?userId=" + user + "&k=" + K).json();
        while (r.get("degraded").asBoolean() && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            r = stack.get("gateway", "/recommend?userId=" + user + "&k=" + K).json();
        }
        return r;
    }

    /** Discounted cumulative gain of the first {@link #K} items, the gain of an item its latent affinity. */
    private double dcg(World.User user, List<String> items) {
        double dcg = 0;
        for (int i = 0; i < Math.min(K, items.size()); i++) {
            dcg += world.affinity(user, items.get(i)) / (Math.log(i + 2) / Math.log(2));
        }
        return dcg;
    }

    private static List<String> ids(JsonNode response) {
        List<String> ids = new ArrayList<>();
        response.get("items").forEach(i -> ids.add(i.get("itemId").asString()));
        return ids;
    }
}
