package dev.marquee.ranking.model;

import dev.marquee.common.feature.NeighbourScores;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.redis.NeighbourLists;
import dev.marquee.common.redis.SeedNeighbours;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Gives a user the neighbour scores that the ranking features read ({@link UserFeatures#transitions()},
 * {@link UserFeatures#lastTransitions()}, {@link UserFeatures#coVisits()}, {@link UserFeatures#historyCoVisits()}):
 * the transitions and co-visits of their most recent items, each seed's list read from the feature store at most once
 * per {@code marquee.neighbours.cache-ttl} (and shared with the candidate sources when serving in-process). The ranker (the user as they are now) and the trainer (the user as
 * they were before one of their interactions) both call this.
 */
@Component
public class UserSequences {
    private final NeighbourLists transitions;
    private final NeighbourLists coVisits;

    UserSequences(SeedNeighbours neighbours) {
        this.transitions = neighbours.transitions();
        this.coVisits = neighbours.coVisits();
    }

    /** The user with the neighbour scores of their most recent items. */
    public UserFeatures now(UserFeatures user) {
        return asOf(user, 0);
    }

    /**
     * The user with the neighbour scores of the items before their {@code position}-th most recent one (0 = the
     * newest): what the scores were when they chose that item, less the user's own steps from those items to the
     * ones after them ({@link NeighbourScores#withoutOwn}), but for other users' counts added since.
     */
    public UserFeatures asOf(UserFeatures user, int position) {
        List<String> seeds = NeighbourScores.seedsFrom(user.recentItems(), position);
        if (seeds.isEmpty()) {
            return user.withNeighbourScores(Map.of(), Map.of(), Map.of(), Map.of());
        }
        List<String> history = NeighbourScores.seedsFrom(user.recentItems(), position, NeighbourScores.HISTORY_SEEDS);
        // the lists already count the user's own steps to the items after the seeds: not known at that moment
        List<String> later = user.recentItems().subList(0, Math.min(position, user.recentItems().size()));
        Map<String, Map<String, Double>> transitioned = NeighbourScores.withoutOwn(seeds,
                transitions.of(seeds, NeighbourScores.LIST_DEPTH).neighbours(), later,
                NeighbourScores::transitionCount);
        // the seeds are the history's first items, at the same ranks: one adjustment serves both scores
        Map<String, Map<String, Double>> coVisited = NeighbourScores.withoutOwn(history,
                coVisits.of(history, NeighbourScores.LIST_DEPTH).neighbours(), later, NeighbourScores::coVisitCount);
        return user.withNeighbourScores(NeighbourScores.of(seeds, transitioned),
                NeighbourScores.of(seeds.subList(0, 1), transitioned), NeighbourScores.of(seeds, coVisited),
                NeighbourScores.ofHistory(history, coVisited));
    }
}
