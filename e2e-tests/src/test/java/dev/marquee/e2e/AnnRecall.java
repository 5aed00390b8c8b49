package dev.marquee.e2e;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.recommend.AnnList;
import dev.marquee.common.redis.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Recall@k of the ANN lists users are served (HNSW in Milvus, computed off the request path) against an exact search
 * of the same vectors: for each sampled user whose list is current (computed at their present event count), the share
 * of the exact top k by cosine — the user's recent items left out, as the lists leave them out — that the list's
 * first k hold. Vectors are the ones in the feature store (item {@code vec}, the user's taste), so speed bought with
 * index parameters shows here as lost recall.
 */
final class AnnRecall {
    /** @param users sampled users with a current list; {@code recall} their mean */
    record Result(int users, double recall) {
    }

    private AnnRecall() {
    }

    static Optional<Result> measure(Stack stack, List<String> itemIds, List<String> userIds, int k) throws Exception {
        String port = stack.value("REDIS_PORT");
        if (port == null) {
            return Optional.empty();
        }
        String host = stack.value("REDIS_HOST") == null ? "127.0.0.1" : stack.value("REDIS_HOST");
        RedisClient client = RedisClient.create(RedisURI.create(host, Integer.parseInt(port)));
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
            RedisAsyncCommands<byte[], byte[]> redis = connection.async();
            List<String> ids = new ArrayList<>();
            List<float[]> vectors = new ArrayList<>();
            List<RedisFuture<byte[]>> reads = new ArrayList<>(itemIds.size());
            for (String id : itemIds) {
                reads.add(redis.hget(bytes(RedisKeys.item(id)), bytes(RedisKeys.ITEM_VECTOR)));
            }
            for (int i = 0; i < itemIds.size(); i++) {
                byte[] v = reads.get(i).get(30, TimeUnit.SECONDS);
                if (v != null) {
                    ids.add(itemIds.get(i));
                    vectors.add(Vectors.normalized(Vectors.fromBytes(v)));
                }
            }
            double sum = 0;
            int users = 0;
            for (String userId : userIds) {
                byte[] state = redis.get(bytes(RedisKeys.user(userId))).get(30, TimeUnit.SECONDS);
                AnnList list = AnnList.fromBytes(redis.get(bytes(RedisKeys.annList(userId))).get(30, TimeUnit.SECONDS));
                if (state == null || list == null || list.itemIds().size() < k) {
                    continue;
                }
                UserFeatures user = UserState.features(state, userId);
                if (!user.hasTaste() || list.eventCount() != user.eventCount()) {
                    continue; // no list for this taste yet: it would measure staleness, not the index
                }
                Set<String> exact = exactTop(user.taste(), Set.copyOf(user.recentItems()), ids, vectors, k);
                Set<String> served = new HashSet<>(list.itemIds().subList(0, k));
                served.retainAll(exact);
                sum += served.size() / (double) k;
                users++;
            }
            return users == 0 ? Optional.empty() : Optional.of(new Result(users, sum / users));
        } finally {
            client.shutdown();
        }
    }

    /** The k items nearest to {@code taste} by cosine, by looking at every one. */
    private static Set<String> exactTop(float[] taste, Set<String> left, List<String> ids, List<float[]> vectors,
                                        int k) {
        float[] q = Vectors.normalized(taste);
        PriorityQueue<Object[]> best = new PriorityQueue<>(k + 1, (a, b) -> Float.compare((float) a[1], (float) b[1]));
        for (int i = 0; i < ids.size(); i++) {
            if (left.contains(ids.get(i))) {
                continue;
            }
            float[] v = vectors.get(i);
            float dot = 0;
            for (int d = 0; d < v.length; d++) {
                dot += q[d] * v[d];
            }
            if (best.size() < k) {
                best.add(new Object[] {ids.get(i), dot});
            } else if (dot > (float) best.peek()[1]) {
                best.poll();
                best.add(new Object[] {ids.get(i), dot});
            }
        }
        Set<String> out = new HashSet<>();
        best.forEach(e -> out.add((String) e[0]));
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
