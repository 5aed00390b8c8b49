package dev.marquee.retrieval.source;

import dev.marquee.common.redis.SeedNeighbours;
import dev.marquee.retrieval.config.RetrievalProperties;
import org.springframework.stereotype.Component;

/**
 * "People who viewed this also viewed": items seen in the same sessions as the user's most recent items
 * ({@code cv:<item>} sets kept by the stream consumer).
 */
@Component
class CoVisitationSource extends NeighbourSource {
    CoVisitationSource(SeedNeighbours neighbours, RetrievalProperties props) {
        super("CoVisited", props.coVisitationBudget(), props.coVisitationSeeds(), "Because you viewed ",
                neighbours.coVisits());
    }
}
