package dev.marquee.ranking.model;

import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.recommend.RankResponse.ScoredItem;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.ranking.served.ServedFeatureLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Scores candidates with the champion model: the user's features (as the caller read them for this request; else one
 * Redis read), item features through the
 * {@link ItemFeatureCache} (one pipelined read of those not cached), one feature matrix from {@link FeatureAssembler},
 * one XGBoost call. Candidates without stored features and inactive items are dropped. The top rows of the ranked list
 * go to the {@link ServedFeatureLog} (off the request path) for the trainer.
 */
@Component
public class Ranker {
    private final FeatureStore store;
    private final ItemFeatureCache itemFeatures;
    private final ModelRegistry registry;
    private final ServedFeatureLog servedFeatures;
    private final UserSequences sequences;

    Ranker(FeatureStore store, ItemFeatureCache itemFeatures, ModelRegistry registry,
           ServedFeatureLog servedFeatures, UserSequences sequences) {
        this.store = store;
        this.sequences = sequences;
        this.itemFeatures = itemFeatures;
        this.registry = registry;
        this.servedFeatures = servedFeatures;
    }

    public RankResponse rank(RankRequest request) {
        return rank(request, null);
    }

    /** @param hydrated the user's features as the caller read them for this request, or {@code null}: read here */
    public RankResponse rank(RankRequest request, UserFeatures hydrated) {
        RankingModel model = registry.champion().orElseThrow(NoModelException::new);
        UserFeatures user = sequences.now(hydrated != null ? hydrated : store.user(request.userId()));
        if (!user.hasTaste() && request.interestsVector() != null) {
            user = user.withTaste(request.interestsVector()); // cold start: ranked by what the user asked for
        }
        Map<String, ItemFeatures> features = itemFeatures.items(
                request.candidates().stream().map(Candidate::itemId).toList());
        List<Candidate> known = request.candidates().stream()
                .filter(c -> features.containsKey(c.itemId()) && features.get(c.itemId()).active()).toList();
        List<ItemFeatures> items = known.stream().map(c -> features.get(c.itemId())).toList();
        float[] matrix = FeatureAssembler.matrix(user, items);
        float[] scores = model.score(matrix, items.size());
        int[] order = bestFirst(scores);
        List<ScoredItem> out = new ArrayList<>(known.size());
        for (int i : order) {
            Candidate c = known.get(i);
            ItemFeatures f = items.get(i);
            out.add(new ScoredItem(c.itemId(), scores[i], c.source(), c.score(), f.title(), f.category(),
                    c.reason()));
        }
        servedFeatures.log(request, model.version(), known.stream().map(Candidate::itemId).toList(), matrix, scores,
                order);
        return new RankResponse(request.userId(), model.version(), out);
    }

    /**
     * Row indices by descending score ({@link Float#compare} order); ties keep the candidates' order. One primitive
     * sort of (score, row) packed in a long, no boxing on the /rank path.
     */
    static int[] bestFirst(float[] scores) {
        long[] keys = new long[scores.length];
        for (int i = 0; i < scores.length; i++) {
            int bits = Float.floatToIntBits(scores[i]);
            long ascending = (bits ^ ((bits >> 31) | 0x80000000)) & 0xFFFFFFFFL; // unsigned, in Float.compare order
            keys[i] = ((0xFFFFFFFFL - ascending) << 31) | i; // 32 + 31 bits: never negative
        }
        Arrays.sort(keys);
        int[] order = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            order[i] = (int) (keys[i] & Integer.MAX_VALUE);
        }
        return order;
    }
}
