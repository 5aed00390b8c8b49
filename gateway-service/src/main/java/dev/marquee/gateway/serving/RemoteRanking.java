package dev.marquee.gateway.serving;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.serving.Ranking;
import org.springframework.web.client.RestClient;

/** The ranking service's {@code POST /rank}; it reads the user itself. */
class RemoteRanking implements Ranking {
    private final RestClient http;

    RemoteRanking(RestClient http) {
        this.http = http;
    }

    @Override
    public RankResponse rank(RankRequest request, UserFeatures user) {
        return RemoteRetrieval.nonNull(http.post().uri("/rank").body(request).retrieve().body(RankResponse.class));
    }
}
