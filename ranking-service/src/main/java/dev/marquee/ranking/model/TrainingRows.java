package dev.marquee.ranking.model;

/**
 * Where a model's training and validation rows came from (labelled examples).
 *
 * @param logged  the row the server logged when it scored the request (what the model saw)
 * @param current no logged row (ranked below the logged top N, e.g. an exploration slot, or older than the log): computed
 *                from the feature store as it is at training time
 * @param stale   a logged row under another feature list ({@code RankingFeatures.hash()} differs): not used, computed
 *                from the feature store as for {@code current}
 */
public record TrainingRows(int logged, int current, int stale) {
    public int total() {
        return logged + current + stale;
    }
}
