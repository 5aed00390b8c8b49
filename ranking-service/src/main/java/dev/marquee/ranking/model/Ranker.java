package dev.marquee.ranking.model;

import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.recommend.RankResponse.ScoredItem;
import dev.marquee.common.redis.FeatureStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Scores candidates with the champion model: one pipelined Redis read for the user and one for the items, one
 * feature matrix from {@link FeatureAssembler}, one XGBoost call. Candidates without stored features are dropped.
 */
@Component
public class Ranker {
    private final FeatureStore store;
    private final ModelRegistry registry;

    Ranker(FeatureStore store, ModelRegistry registry) {
        this.store = store;
        this.registry = registry;
    }

    public RankResponse rank(RankRequest request) {
        RankingModel model = registry.champion().orElseThrow(NoModelException::new);
        UserFeatures user = store.user(request.userId());
        Map<String, ItemFeatures> features = store.items(request.candidates().stream().map(Candidate::itemId).toList());
        List<Candidate> known = request.candidates().stream().filter(c -> features.containsKey(c.itemId())).toList();
        List<ItemFeatures> items = known.stream().map(c -> features.get(c.itemId())).toList();
        float[] scores = model.score(FeatureAssembler.matrix(user, items), items.size());
        List<ScoredItem> out = new ArrayList<>(known.size());
        for (int i = 0; i < known.size(); i++) {
            Candidate c = known.get(i);
            ItemFeatures f = items.get(i);
            out.add(new ScoredItem(c.itemId(), scores[i], c.source(), c.score(), f.title(), f.category(),
                    c.reason()));
        }
        out.sort(Comparator.comparingDouble(ScoredItem::score).reversed());
        return new RankResponse(request.userId(), model.version(), out);
    }
}
