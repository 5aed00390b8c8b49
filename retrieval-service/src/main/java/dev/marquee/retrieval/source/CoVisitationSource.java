package dev.marquee.retrieval.source;

import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.retrieval.config.RetrievalProperties;
import org.springframework.stereotype.Component;

/**
 * "People who viewed this also viewed": items seen in the same sessions as the user's most recent items
 * ({@code cv:<item>} sets kept by the stream consumer).
 */
@Component
class CoVisitationSource extends NeighbourSource {
    CoVisitationSource(FeatureStore store, RetrievalProperties props) {
        super("CoVisited", props.coVisitationBudget(), props.coVisitationSeeds(), "Because you viewed ", store,
                RedisKeys::coVisits, props.coVisitationCacheTtl());
    }
}
