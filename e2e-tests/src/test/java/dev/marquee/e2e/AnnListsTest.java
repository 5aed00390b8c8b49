package dev.marquee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Metrics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.World;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * ANN candidates off the request path, on the running stack (real Kafka, Redis, Milvus): after a user's events the
 * stream consumer marks them due, retrieval computes their list in the background, and /recommend takes the ANN
 * candidates from that list instead of searching Milvus while the user waits. Counted through the services' public
 * metrics ({@link Metrics#ANN_LISTS}, {@link Metrics#ANN_ANSWERS}), summed over the gateway (in-process serving) and
 * the retrieval service (remote serving), which both compute lists.
 */
class AnnListsTest {
    private final Stack stack = Stack.fromEnvironment();
    private final AnnCounters counters = new AnnCounters(stack);
    private final String run = "ann" + UUID.randomUUID().toString().substring(0, 6) + "-";
    private final World world = new World(13, 15, 12, run);

    @Test
    void usersWithEventsGetTheirAnnCandidatesFromAListComputedBeforeTheyAskNotFromASearchWhileTheyWait()
            throws Exception {
        Scenario.catalog(stack, world);
        double listsBefore = counters.lists();
        Scenario.history(stack, world, 10);
        int users = world.users().size();
        counters.awaitLists(listsBefore + users);
        double listsAfterHistory = counters.awaitListsSettled(Duration.ofSeconds(1), Duration.ofSeconds(60));

        double precomputed = sum(Metrics.ANN_ANSWERS, "from:precomputed");
        double searched = sum(Metrics.ANN_ANSWERS, "from:searched");
        for (World.User user : world.users()) {
            assertThat(stack.get("gateway", "/recommend?userId=" + user.userId() + "&k=10").status()).isEqualTo(200);
        }
        assertThat(sum(Metrics.ANN_ANSWERS, "from:precomputed") - precomputed).isEqualTo(users);
        assertThat(sum(Metrics.ANN_ANSWERS, "from:searched") - searched).isZero();

        // a click moves the user's taste: their list is computed again, without their asking
        String user = world.users().get(0).userId();
        CatalogItem other = world.itemsOf(world.topicList().size() - 1).get(0);
        InteractionEvent click = new InteractionEvent("ev-" + UUID.randomUUID(), user, other.itemId(),
                EventType.CLICK, Instant.now());
        assertThat(stack.post("ingest", "/events/batch", Map.of("events", List.of(click))).status()).isEqualTo(202);
        counters.awaitLists(listsAfterHistory + 1);
    }

    private double sum(String metric, String tag) {
        return counters.sum(metric, tag);
    }
}
