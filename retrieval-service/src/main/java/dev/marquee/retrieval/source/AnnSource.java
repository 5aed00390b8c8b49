package dev.marquee.retrieval.source;

import dev.marquee.common.Metrics;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.retrieval.config.RetrievalProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The items nearest to the user's taste vector: from the user's list computed off the request path
 * ({@link AnnLists}) when there is one, else the identical query's answer in memory, else a Milvus search on the
 * request path (under this source's budget). Items the user has seen are never proposed. Each answer is counted by
 * where it came from ({@link Metrics#ANN_ANSWERS}).
 */
@Component
class AnnSource implements CandidateSource {
    private static final String REASON = "Matches your recent taste";
    private final ItemVectorSearch search;
    private final RetrievalProperties props;
    private final AnnLists lists;
    private final Counter precomputed;
    private final Counter cached;
    private final Counter searched;

    AnnSource(ItemVectorSearch search, RetrievalProperties props, AnnLists lists, MeterRegistry meters) {
        this.search = search;
        this.props = props;
        this.lists = lists;
        this.precomputed = meters.counter(Metrics.ANN_ANSWERS, Metrics.TAG_FROM, "precomputed");
        this.cached = meters.counter(Metrics.ANN_ANSWERS, Metrics.TAG_FROM, "cached");
        this.searched = meters.counter(Metrics.ANN_ANSWERS, Metrics.TAG_FROM, "searched");
    }

    @Override
    public String name() {
        return "Ann";
    }

    @Override
    public Duration budget() {
        return props.annBudget();
    }

    @Override
    public boolean appliesTo(CandidateQuery query) {
        return query.user().hasTaste();
    }

    /** The user's precomputed list, else the answer to the same search (taste, exclusions, filters) when cached. */
    @Override
    public List<Candidate> fromMemory(CandidateQuery query) {
        List<Candidate> found = lists.answer(query, name(), REASON);
        if (found != null) {
            precomputed.increment();
            return found;
        }
        found = search.nearestIfCached(query.user().taste(), query.n(), query.exclude(), query.filters(), name(),
                REASON);
        if (found != null) {
            cached.increment();
        }
        return found;
    }

    @Override
    public List<Candidate> fetch(CandidateQuery query) {
        if (!appliesTo(query)) {
            return List.of();
        }
        searched.increment();
        return search.nearest(query.user().taste(), query.n(), query.exclude(), query.filters(), name(),
                REASON);
    }
}
