package dev.marquee.gateway.serving;

import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.SimilarResponse;
import dev.marquee.common.redis.FeatureStore.UserAndAnnList;
import dev.marquee.common.serving.Retrieval;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

/** The retrieval service's {@code POST /candidates} and {@code GET /similar/{itemId}}; it reads the user itself. */
class RemoteRetrieval implements Retrieval {
    private final RestClient http;

    RemoteRetrieval(RestClient http) {
        this.http = http;
    }

    @Override
    public CandidatesResponse candidates(CandidatesRequest request, UserAndAnnList user) {
        return nonNull(http.post().uri("/candidates").body(request).retrieve().body(CandidatesResponse.class));
    }

    @Override
    public Optional<SimilarResponse> similar(String itemId, int n) {
        try {
            return Optional.of(nonNull(http.get().uri(u -> u.path("/similar/{itemId}").queryParam("n", n)
                    .build(itemId)).retrieve().body(SimilarResponse.class)));
        } catch (HttpClientErrorException e) {
            if (e.getStatusCode().isSameCodeAs(HttpStatus.NOT_FOUND)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static <T> T nonNull(T body) {
        if (body == null) {
            throw new IllegalStateException("empty body");
        }
        return body;
    }
}
