package dev.marquee.retrieval.source;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.Candidate;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** One way of proposing items for a user. Runs under its own time budget; a failure drops only this source. */
public interface CandidateSource {
    /** Short CamelCase name: the provenance on each candidate and the {@code source} metric tag. */
    String name();

    Duration budget();

    /** Up to {@code n} candidates for the user, none of them in {@code exclude}. */
    List<Candidate> fetch(UserFeatures user, int n, Set<String> exclude);
}
