package dev.marquee.retrieval.source;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.AnnList;
import dev.marquee.common.recommend.RecommendFilters;
import java.util.Set;

/**
 * What every candidate source is asked: up to {@code n} items for this user, none in {@code exclude} (what the user
 * has seen plus what the caller excluded), within the caller's category filters.
 *
 * @param interests the user's stated interests (free text) or {@code null}
 * @param annList   the user's ANN list computed off the request path ({@link AnnLists}), or {@code null}
 */
public record CandidateQuery(UserFeatures user, int n, Set<String> exclude, RecommendFilters filters,
                             String interests, AnnList annList) {
}
