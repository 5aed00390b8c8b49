package dev.marquee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.World;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Puts a simulated world into the running stack through its public API, as a user of the platform would. */
final class Scenario {
    private Scenario() {
    }

    /** Ingests the world's catalog and waits until the embedding service has embedded every item. */
    static List<CatalogItem> catalog(Stack stack, World world) throws InterruptedException {
        List<CatalogItem> catalog = world.catalog();
        assertThat(stack.post("ingest", "/items/batch", Map.of("items", catalog)).status()).isEqualTo(202);
        Set<String> pending = new HashSet<>(catalog.stream().map(CatalogItem::itemId).toList());
        Instant deadline = Instant.now().plusSeconds(180);
        while (!pending.isEmpty()) {
            assertThat(Instant.now()).as("items still not embedded: " + pending.size()).isBefore(deadline);
            pending.removeIf(id -> stack.get("embedding", "/items/" + id).status() == 200);
            Thread.sleep(200);
        }
        return catalog;
    }

    /**
     * {@code perUser} events of each user an hour ago, ingested; returns them when the stream consumer applied them
     * all.
     */
    static List<InteractionEvent> history(Stack stack, World world, int perUser) throws InterruptedException {
        List<InteractionEvent> history = new ArrayList<>();
        Instant t = Instant.now().minus(Duration.ofHours(1));
        for (World.User user : world.users()) {
            for (int i = 0; i < perUser; i++) {
                history.add(world.eventFor(user, t));
            }
        }
        for (int from = 0; from < history.size(); from += 1000) { // the batch endpoint takes 1,000 at most
            List<InteractionEvent> batch = history.subList(from, Math.min(history.size(), from + 1000));
            assertThat(stack.post("ingest", "/events/batch", Map.of("events", batch)).status()).isEqualTo(202);
        }
        for (World.User user : world.users()) {
            awaitEventCount(stack, user.userId(), perUser);
        }
        return history;
    }

    static void awaitEventCount(Stack stack, String user, int count) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (stack.get("ingest", "/users/" + user + "/features").json().get("eventCount").asInt() < count) {
            assertThat(Instant.now()).as("events of " + user + " not applied").isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /**
     * Asks the ranking service to train until a model comes out (the stream consumer may still be applying the
     * history); on a stack that already serves a better model, the challenger is (rightly) not promoted.
     */
    static JsonNode trainedModel(Stack stack) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(120);
        while (true) {
            Stack.Response r = stack.post("ranking", "/models/train", Map.of());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode outcome = r.json();
            if (outcome.get("version").isString()) {
                return outcome;
            }
            assertThat(Instant.now()).as("no model trained: " + outcome).isBefore(deadline);
            Thread.sleep(1000);
        }
    }
}
