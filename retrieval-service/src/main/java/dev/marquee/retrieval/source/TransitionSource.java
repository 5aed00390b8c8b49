package dev.marquee.retrieval.source;

import dev.marquee.common.redis.SeedNeighbours;
import dev.marquee.retrieval.config.RetrievalProperties;
import org.springframework.stereotype.Component;

/**
 * What people went on to next: the items that followed the user's most recent items in other users' sequences
 * ({@code tr:<item>} sets kept by the stream consumer, across sessions, closer successors weighing more). Order
 * matters on real data: what a user did last predicts what they do next better than their whole history.
 */
@Component
class TransitionSource extends NeighbourSource {
    TransitionSource(SeedNeighbours neighbours, RetrievalProperties props) {
        super("Transitions", props.transitionBudget(), props.transitionSeeds(), "Often next after ",
                neighbours.transitions());
    }
}
