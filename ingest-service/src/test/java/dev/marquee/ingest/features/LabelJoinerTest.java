package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.event.EventContext;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.UserState;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LabelJoinerTest {
    private static final long WINDOW = 30 * 60_000L;
    private static final long WAIT = 10_000L;
    private static final Instant T = Instant.parse("2026-12-06T12:00:00Z");
    private final AtomicInteger ids = new AtomicInteger();
    private final UserState user = UserState.empty();

    @Test
    void impressionThenClickOfTheSameItemIsAPositiveExample() {
        LabelJoiner joiner = new LabelJoiner(WINDOW, WAIT, null, null);
        joiner.impression(0, impression("a", "r1", 3, T), user);
        joiner.engagement(0, click("a", "r1", T.plusSeconds(2)), user);

        assertThat(joiner.examples()).singleElement().satisfies(x -> {
            assertThat(x.label()).isEqualTo(1);
            assertThat(x.outcome()).isEqualTo(EventType.CLICK);
            assertThat(x.position()).isEqualTo(3);
        });
        assertThat(user.pending()).isEmpty();
    }

    @Test
    void aClickThatReachesTheStreamBeforeItsImpressionIsAPositiveExampleWhenTheImpressionComes() {
        LabelJoiner joiner = new LabelJoiner(WINDOW, WAIT, null, null);
        joiner.engagement(0, click("a", "r1", T.plusMillis(800)), user);
        assertThat(joiner.examples()).isEmpty();
        assertThat(user.pending()).containsOnlyKeys("a");

        joiner.impression(0, impression("a", "r1", 2, T), user);

        LabelledExample x = joiner.examples().get(0);
        assertThat(joiner.examples()).hasSize(1);
        assertThat(x.label()).isEqualTo(1);
        assertThat(x.outcome()).isEqualTo(EventType.CLICK);
        assertThat(x.requestId()).isEqualTo("r1");
        assertThat(x.position()).isEqualTo(2);
        assertThat(x.shownAt()).isEqualTo(T);
        assertThat(x.labelledAt()).isEqualTo(T.plusMillis(800));
        assertThat(joiner.earlyJoined()).isEqualTo(1);
        assertThat(user.pending()).as("nothing left to label as a negative").isEmpty();
    }

    @Test
    void anEarlyEngagementDoesNotLabelTheImpressionOfAnotherRequest() {
        LabelJoiner joiner = new LabelJoiner(WINDOW, WAIT, null, null);
        joiner.engagement(0, click("a", "r1", T), user);
        joiner.impression(0, impression("a", "r2", 0, T.plusSeconds(1)), user);

        assertThat(joiner.examples()).isEmpty();
        assertThat(LabelJoiner.parse(user.pending().get("a")))
                .isEqualTo(new LabelJoiner.Pending("r2", 0, null, T.plusSeconds(1).toEpochMilli()));
    }

    @Test
    void onlyTheFirstEngagementWaitsAndItsOutcomeIsTheLabelsOutcome() {
        LabelJoiner joiner = new LabelJoiner(WINDOW, WAIT, null, null);
        joiner.engagement(0, click("a", "r1", T.plusSeconds(1)), user);
        joiner.engagement(0, event("a", EventType.ADD_TO_CART, "r1", T.plusSeconds(2)), user);
        joiner.impression(0, impression("a", "r1", 0, T), user);

        assertThat(joiner.examples()).singleElement()
                .satisfies(x -> assertThat(x.outcome()).isEqualTo(EventType.CLICK));
    }

    @Test
    void engagementsThatNameNoRequestOrWithNoWaitDoNotWaitForAnImpression() {
        new LabelJoiner(WINDOW, WAIT, null, null).engagement(0,
                new InteractionEvent("e-1", "u", "a", EventType.CLICK, T), user);
        new LabelJoiner(WINDOW, 0, null, null).engagement(0, click("b", "r1", T), user);

        assertThat(user.pending()).isEmpty();
    }

    @Test
    void anEarlyEngagementIsDueWhenItsWaitEndsAndAnImpressionWhenItsWindowEnds() {
        LabelJoiner.Early early = new LabelJoiner.Early("r1", EventType.PURCHASE, 1_000);
        LabelJoiner.Pending shown = new LabelJoiner.Pending("r1", null, "control", 2_000);

        assertThat(LabelJoiner.parse(early.format())).isEqualTo(early);
        assertThat(LabelJoiner.parse(shown.format())).isEqualTo(shown);
        assertThat(early.dueMillis(WINDOW, WAIT)).isEqualTo(1_000 + WAIT);
        assertThat(shown.dueMillis(WINDOW, WAIT)).isEqualTo(2_000 + WINDOW);
    }

    private InteractionEvent impression(String item, String request, int position, Instant at) {
        return new InteractionEvent("e-" + ids.incrementAndGet(), "u", item, EventType.IMPRESSION, at, null,
                EventContext.impression(request, position, null), null);
    }

    private InteractionEvent click(String item, String request, Instant at) {
        return event(item, EventType.CLICK, request, at);
    }

    private InteractionEvent event(String item, EventType type, String request, Instant at) {
        return new InteractionEvent("e-" + ids.incrementAndGet(), "u", item, type, at, null,
                new EventContext(null, "home", 0, request, null), null);
    }
    @Test
    void aClickOnALaterShowingOfAnItemWaitsForThatShowingInsteadOfLabellingTheEarlierOne() {
        LabelJoiner joiner = new LabelJoiner(WINDOW, WAIT, null, null);
        joiner.impression(0, impression("a", "r1", 5, T), user);
        joiner.engagement(0, click("a", "r2", T.plusSeconds(61)), user); // r2's impression is still on its way
        assertThat(joiner.examples()).isEmpty();

        joiner.impression(0, impression("a", "r2", 0, T.plusSeconds(60)), user);

        assertThat(joiner.examples()).singleElement().satisfies(x -> {
            assertThat(x.requestId()).isEqualTo("r2");
            assertThat(x.position()).isZero();
            assertThat(x.label()).isEqualTo(1);
        });
        assertThat(user.pending()).isEmpty();
    }

    @Test
    void aClickNamingNoRequestJoinsThePendingImpressionOfItsItem() {
        LabelJoiner joiner = new LabelJoiner(WINDOW, WAIT, null, null);
        joiner.impression(0, impression("a", "r1", 5, T), user);
        joiner.engagement(0, new InteractionEvent("e-x", "u", "a", EventType.CLICK, T.plusSeconds(3)), user);

        assertThat(joiner.examples()).singleElement()
                .satisfies(x -> assertThat(x.requestId()).isEqualTo("r1"));
    }
}
