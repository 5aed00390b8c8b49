package dev.marquee.ranking.core;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.serving.Ranking;
import dev.marquee.ranking.model.Ranker;
import org.springframework.stereotype.Component;

/**
 * The ranking core behind the {@link Ranking} API: what the ranking service's {@code /rank} answers with, and what the
 * gateway calls in its own JVM when it serves in-process ({@link RankingCoreAutoConfiguration}).
 */
@Component
public class LocalRanking implements Ranking {
    private final Ranker ranker;

    LocalRanking(Ranker ranker) {
        this.ranker = ranker;
    }

    @Override
    public RankResponse rank(RankRequest request, UserFeatures user) {
        return ranker.rank(request, user);
    }
}
