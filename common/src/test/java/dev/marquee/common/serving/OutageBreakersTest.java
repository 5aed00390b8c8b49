package dev.marquee.common.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class OutageBreakersTest {
    @Test
    void timeoutsAndIoAnywhereInTheCauseChainAreOutagesBadInputIsNot() {
        assertThat(OutageBreakers.isOutage(new TimeoutException())).isTrue();
        assertThat(OutageBreakers.isOutage(new UncheckedIOException(new ConnectException("refused")))).isTrue();
        assertThat(OutageBreakers.isOutage(new IllegalStateException("no model yet"))).isFalse();
        assertThat(OutageBreakers.isOutage(new IllegalArgumentException("k: must be at least 1"))).isFalse();
    }

    @Test
    void twentyOutagesOpenTheBreakerWhichThenRefusesAtOnceAndOtherFailuresNeverOpenIt() {
        CircuitBreaker outages = new OutageBreakers().breaker("test", Duration.ofMinutes(1));
        for (int i = 0; i < 20; i++) {
            outages.onError(100, java.util.concurrent.TimeUnit.MILLISECONDS, new TimeoutException());
        }
        assertThat(outages.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(outages.tryAcquirePermission()).isFalse();
        try {
            outages.executeCallable(() -> "never called");
            throw new AssertionError("an open breaker let a call through");
        } catch (CallNotPermittedException expected) {
            // refused without calling
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        CircuitBreaker badInput = new OutageBreakers().breaker("test-bad-input", Duration.ofMinutes(1));
        for (int i = 0; i < 30; i++) {
            badInput.onError(1, java.util.concurrent.TimeUnit.MILLISECONDS, new IllegalArgumentException());
        }
        assertThat(badInput.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /** A busy box: a third of the calls overrun their budget, then a stall; not an outage: the breaker stays shut. */
    @Test
    void someTimeoutsAmongAnswersAsOnABusyBoxKeepTheBreakerClosed() {
        CircuitBreaker busy = new OutageBreakers().breaker("test-busy", Duration.ofMinutes(1));
        for (int i = 0; i < 300; i++) {
            if (i % 3 == 0) {
                busy.onError(30, java.util.concurrent.TimeUnit.MILLISECONDS, new TimeoutException());
            } else {
                busy.onSuccess(5, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            assertThat(busy.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        }
        // a stall of the box: 30 calls in a row overrun their budget, among the seconds' answers
        for (int i = 0; i < 30; i++) {
            busy.onError(30, java.util.concurrent.TimeUnit.MILLISECONDS, new TimeoutException());
        }
        assertThat(busy.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void healthStaysUpAndSaysDegradedWhileABreakerIsOpen() {
        OutageBreakers breakers = new OutageBreakers();
        CircuitBreaker ann = breakers.breaker("source-ann", Duration.ofMinutes(1));
        breakers.breaker("step-ranking", Duration.ofMinutes(1));
        assertThat(breakers.health().getDetails()).containsEntry("degraded", false);
        ann.transitionToOpenState();
        assertThat(breakers.health().getStatus().getCode()).isEqualTo("UP");
        assertThat(breakers.health().getDetails()).containsEntry("degraded", true)
                .containsEntry("source-ann", "OPEN").containsEntry("step-ranking", "CLOSED");
    }

    @Test
    void anOpenBreakerLetsProbesThroughAfterItsOpenTimeAndClosesWhenTheyPass() throws Exception {
        CircuitBreaker breaker = new OutageBreakers().breaker("test-probe", Duration.ofMillis(50));
        for (int i = 0; i < 20; i++) {
            breaker.onError(100, java.util.concurrent.TimeUnit.MILLISECONDS, new TimeoutException());
        }
        assertThat(breaker.tryAcquirePermission()).isFalse();
        Thread.sleep(80);
        for (int i = 0; i < 3; i++) {
            assertThat(breaker.executeCallable(() -> "ok")).isEqualTo("ok");
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
}
