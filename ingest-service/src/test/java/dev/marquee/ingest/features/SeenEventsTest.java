package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeenEventsTest {
    /** Hashes already stored in Redis must keep matching: these are the values of the first implementation. */
    @Test
    void eventIdHashesStayTheOnesAlreadyStored() {
        assertThat(SeenEvents.hash("e-1")).isEqualTo(423076561529586L);
        assertThat(SeenEvents.hash("h-42-8816712396711")).isEqualTo(7668109338857215159L);
        assertThat(SeenEvents.hash("")).isEqualTo(2166136261L);
        assertThat(SeenEvents.hash("l-99999--9223372036854775808")).isEqualTo(-7105584913157135928L);
        assertThat(SeenEvents.hash("événement-ü-1")).isEqualTo(8628228678725220622L);
    }

    @Test
    void aUsersEventIdsShareOneShardAndUsersSpreadEvenlyOverAllShards() {
        SeenEvents seen = new SeenEvents(Duration.ofHours(24), 256);
        int[] users = new int[256];
        for (int u = 0; u < 100_000; u++) {
            users[seen.shard("user-" + u)]++;
        }
        // 390.6 users per shard on average; a uniform spread stays within ±25 % (about five standard deviations)
        assertThat(Arrays.stream(users).min().getAsInt()).isGreaterThan(292);
        assertThat(Arrays.stream(users).max().getAsInt()).isLessThan(489);
        assertThat(seen.shard("user-7")).isEqualTo(new SeenEvents(Duration.ofHours(1), 256).shard("user-7"));
    }
}
