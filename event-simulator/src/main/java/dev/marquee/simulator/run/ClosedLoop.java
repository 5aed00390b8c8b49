package dev.marquee.simulator.run;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.Behaviour;
import dev.marquee.simulator.world.ClickModel;
import dev.marquee.simulator.world.World;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.web.client.RestClientException;

/**
 * The closed loop: per simulated request a random user asks the gateway for {@code k} items, and the clicks,
 * add-to-carts, purchases and ratings the latent user makes on that list go to ingest with the response's request id
 * and positions. No impressions: the gateway logs what it showed. The running CTR (clicks / shown) is logged next to
 * what the click model expects of a random list and of the best possible list, so one can see whether the
 * recommendations beat chance. Bounded by {@code requests} and {@code duration}; paced at {@code rate} requests per
 * second; gives up after {@value #MAX_CONSECUTIVE_FAILURES} failed calls in a row.
 */
public final class ClosedLoop {
    public static final String MODE = "closed_loop";
    static final int MAX_CONSECUTIVE_FAILURES = 30;
    static final Duration SPACING = Duration.ofMillis(1);
    /** Users the reference CTRs are averaged over (the first ones; enough for a stable figure, cheap for big worlds). */
    private static final int REFERENCE_USERS = 200;

    public record Settings(int k, double rate, int requests, Duration duration) {
    }

    /**
     * @param randomCtr what the click model expects of a uniformly random list of k items
     * @param bestCtr   what it expects of each user's best possible list
     */
    public record Outcome(long requests, long failed, long shown, long clicks, long events, double ctr,
                          double randomCtr, double bestCtr) {
    }

    private ClosedLoop() {
    }

    public static Outcome run(Behaviour b, Settings s, MarqueeClient client, Clock clock, Progress progress)
            throws InterruptedException {
        double randomCtr = reference(b, s.k(), false);
        double bestCtr = reference(b, s.k(), true);
        Pacer pacer = new Pacer(s.rate(), s.duration());
        Instant simulatedStart = clock.instant();
        int consecutiveFailures = 0;
        for (int i = 0; i < s.requests() && pacer.withinDuration(); i++) {
            if (Thread.currentThread().isInterrupted()) { // stop requested while a call swallowed the exception
                throw new InterruptedException();
            }
            World.User user = b.pickUser();
            Behaviour.Session session = b.sessionFor(user, simulatedStart.plusNanos((long) (i / s.rate() * 1e9)));
            Recommendation response;
            String failure;
            try {
                response = client.recommend(user.userId(), s.k());
                failure = response == null ? "empty body" : null;
            } catch (RestClientException e) {
                response = null;
                failure = e.getMessage();
            }
            if (failure != null) {
                progress.request(false, 0, 0);
                if (++consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
                    throw new IllegalStateException(consecutiveFailures + " /recommend calls failed in a row, last: "
                            + failure);
                }
                pacer.awaitSlot(i + 1L);
                continue;
            }
            consecutiveFailures = 0;
            List<Behaviour.Shown> shown = new ArrayList<>();
            for (Recommendation.Item item : response.items()) {
                shown.add(new Behaviour.Shown(item.position(), item.itemId()));
            }
            List<InteractionEvent> events = b.react(user, session, response.requestId(), shown, clock.instant(),
                    SPACING, false);
            if (!events.isEmpty()) {
                client.sendEvents(events);
                progress.sent(events);
            }
            progress.request(true, shown.size(), (int) events.stream().filter(e -> e.type() == EventType.CLICK).count());
            progress.maybeLog(ctrText(progress, s, randomCtr, bestCtr));
            pacer.awaitSlot(i + 1L);
        }
        progress.log(ctrText(progress, s, randomCtr, bestCtr) + "; closed loop ended");
        return new Outcome(progress.requests(), progress.failedRequests(), progress.shown(), progress.clicks(),
                progress.events(), progress.ctr(), randomCtr, bestCtr);
    }

    private static String ctrText(Progress p, Settings s, double randomCtr, double bestCtr) {
        return String.format(Locale.ROOT, "%d/%d requests (%d failed), %d shown, %d clicks, CTR %.2f%% "
                        + "(random lists ~%.2f%%, best possible ~%.2f%%), %.1f requests/s", p.requests(), s.requests(),
                p.failedRequests(), p.shown(), p.clicks(), 100 * p.ctr(), 100 * randomCtr, 100 * bestCtr,
                p.requests() / Math.max(p.seconds(), 1e-9));
    }

    private static double reference(Behaviour b, int k, boolean best) {
        ClickModel model = b.clicks();
        List<World.User> users = b.world().users();
        int n = Math.min(REFERENCE_USERS, users.size());
        double sum = 0;
        for (int u = 0; u < n; u++) {
            sum += best ? model.bestListCtr(b.world(), users.get(u), k) : model.randomListCtr(b.world(), users.get(u), k);
        }
        return sum / n;
    }
}
