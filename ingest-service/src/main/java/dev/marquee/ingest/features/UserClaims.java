package dev.marquee.ingest.features;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Which users' states the stream consumer and the label flusher are working on, so that they never work on the
 * same user at once: both rewrite a user's pending impressions, the consumer with the whole state it read earlier.
 * The consumer holds a batch's users from before its reads until a later batch is read after the batch's writes were
 * applied (the next batch takes what they changed from memory); the flusher holds the users of a round from before
 * it reads their pending impressions until its writes are applied. The flusher takes only users the consumer does not
 * hold and never waits; the consumer waits for a round that holds one of its users to finish (a round is a few
 * milliseconds).
 */
@Component
class UserClaims {
    private final Set<String> consumer = new HashSet<>();
    private final Set<String> flusher = new HashSet<>();

    /** The consumer takes {@code users}, waiting while the flusher holds one of them. */
    synchronized void consumerTakes(Set<String> users) {
        while (holdsAny(flusher, users)) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the label flusher held a user of the batch", e);
            }
        }
        consumer.addAll(users);
    }

    /** The consumer lets go of every user but {@code users} (those of the batch whose writes may be in flight). */
    synchronized void consumerKeepsOnly(Set<String> users) {
        consumer.retainAll(users);
    }

    /** The consumer holds nobody (it read nothing it will write later). */
    synchronized void consumerReleasesAll() {
        consumer.clear();
    }

    /** The flusher takes those of {@code due} the consumer does not hold; returns them. */
    synchronized List<String> flusherTakes(Collection<String> due) {
        List<String> taken = new ArrayList<>(due.size());
        for (String u : due) {
            if (!consumer.contains(u) && flusher.add(u)) {
                taken.add(u);
            }
        }
        return taken;
    }

    /** The flusher is done with {@code users} (its writes for them were applied, or failed). */
    synchronized void flusherReleases(Collection<String> users) {
        flusher.removeAll(users);
        notifyAll();
    }

    private static boolean holdsAny(Set<String> held, Collection<String> users) {
        if (held.isEmpty()) {
            return false;
        }
        for (String u : users) {
            if (held.contains(u)) {
                return true;
            }
        }
        return false;
    }
}
