package dev.marquee.retrieval.source;

import dev.marquee.common.recommend.Candidate;
import java.time.Duration;
import java.util.List;

/** One way of proposing items for a user. Runs under its own time budget; a failure drops only this source. */
public interface CandidateSource {
    /** Short CamelCase name: the provenance on each candidate and the {@code source} metric tag. */
    String name();

    Duration budget();

    /**
     * Up to {@code query.n()} candidates, none of them in {@code query.exclude()}. Sources that can push the
     * category filters down (Milvus, per-category sets) do; the retriever checks every merged candidate's category.
     */
    List<Candidate> fetch(CandidateQuery query);

    /**
     * Whether this source can propose anything for the query (co-visitation needs recent items, ANN a taste vector,
     * ...). One that cannot is not run: no thread, no timer, reported {@code skipped}.
     */
    default boolean appliesTo(CandidateQuery query) {
        return true;
    }

    /**
     * What {@link #fetch} would answer, when this source holds it in memory for this query (no I/O to wait for), else
     * {@code null}: the caller then runs {@link #fetch} on a pool thread under the budget. Looked up once: nothing is
     * read twice, and an entry that expires meanwhile cannot send I/O onto the caller's thread.
     */
    default List<Candidate> fromMemory(CandidateQuery query) {
        return null;
    }
}
