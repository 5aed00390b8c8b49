package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;

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
}
