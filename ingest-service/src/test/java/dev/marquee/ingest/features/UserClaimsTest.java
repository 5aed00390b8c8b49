package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UserClaimsTest {
    private final UserClaims claims = new UserClaims();

    @Test
    void flusherTakesOnlyUsersTheConsumerDoesNotHold() {
        claims.consumerTakes(Set.of("a", "b"));

        assertThat(claims.flusherTakes(List.of("a", "c", "b", "d"))).containsExactly("c", "d");
        assertThat(claims.flusherTakes(List.of("c", "e"))).as("a user already in a round").containsExactly("e");
    }

    @Test
    void consumerWaitsForTheRoundHoldingOneOfItsUsersAndTakesThemWhenItEnds() throws Exception {
        assertThat(claims.flusherTakes(List.of("x"))).containsExactly("x");

        CompletableFuture<Void> read = CompletableFuture.runAsync(() -> claims.consumerTakes(Set.of("y", "x")));
        Thread.sleep(200);
        assertThat(read).as("consumer waits while the round holds x").isNotDone();

        claims.flusherReleases(List.of("x"));
        read.get(5, TimeUnit.SECONDS);
        assertThat(claims.flusherTakes(List.of("x", "y"))).as("now the consumer holds both").isEmpty();
    }

    @Test
    void usersOfThePreviousBatchAreLetGoOnceTheNextBatchKeepsOnlyItsOwn() {
        claims.consumerTakes(Set.of("a", "b"));
        claims.consumerTakes(Set.of("b", "c"));

        claims.consumerKeepsOnly(Set.of("b", "c"));
        assertThat(claims.flusherTakes(List.of("a", "b", "c"))).containsExactly("a");

        claims.consumerReleasesAll();
        assertThat(claims.flusherTakes(List.of("b", "c"))).containsExactly("b", "c");
    }
}
