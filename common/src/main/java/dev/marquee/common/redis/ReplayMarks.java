package dev.marquee.common.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.listener.ConsumerSeekAware.ConsumerSeekCallback;

/**
 * Kafka is the source of truth and what Redis holds is a view of it, rebuilt when lost: a mark per view and topic
 * partition ({@link RedisKeys#replayMarks}) says the view holds that partition's records from its first offset on. A
 * consumer given a partition without a mark (a new Redis, or one that lost its data) reads it again from the
 * beginning and marks it, so that only one consumer replays it; a partition already marked goes on from its committed
 * offset. Replays of records already applied change nothing (event ids are deduplicated, catalog writes are upserts).
 * A view that reads another (the features read the catalog's item categories and vectors) waits until that one is
 * complete before it rebuilds: {@link #startRebuild}, {@link #endRebuild}, {@link #isComplete}.
 */
public final class ReplayMarks {
    private static final Logger log = LoggerFactory.getLogger(ReplayMarks.class);
    private final StringRedisTemplate redis;

    public ReplayMarks(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /**
     * Whether {@code view} must read the partition from the beginning: it had no mark, and now has one.
     *
     * @throws DataAccessException when Redis cannot be reached
     */
    public boolean claimReplay(String view, String topic, int partition) {
        return Boolean.TRUE.equals(redis.opsForHash().putIfAbsent(RedisKeys.replayMarks(view),
                topic + "-" + partition, Instant.now().toString()));
    }

    /** Forgets the view's marks: its next consumers replay every partition (the view's other store lost its data). */
    public void forget(String view) {
        redis.delete(RedisKeys.replayMarks(view));
    }

    /** The view is being rebuilt: {@link #isComplete} is false until {@link #endRebuild} or {@code ttl}. */
    public void startRebuild(String view, Duration ttl) {
        redis.opsForValue().set(RedisKeys.rebuilding(view), Instant.now().toString(), ttl);
    }

    /** The view's consumer has caught up with its topic. */
    public void endRebuild(String view) {
        redis.delete(RedisKeys.rebuilding(view));
    }

    /** Whether the view has been built (it has replay marks) and is not being rebuilt. */
    public boolean isComplete(String view) {
        return Boolean.TRUE.equals(redis.hasKey(RedisKeys.replayMarks(view)))
                && !Boolean.TRUE.equals(redis.hasKey(RedisKeys.rebuilding(view)));
    }

    /**
     * For a consumer's {@code onPartitionsAssigned}: seeks the partitions that {@code view} has no mark of to their
     * beginning. Redis unreachable: nothing is sought (the consumer goes on from its committed offsets, and the next
     * assignment checks again).
     *
     * @param assignments partition -> the offset the consumer is at (its committed one)
     * @return whether this is a rebuild: a partition sought back had been read before (a new deployment, nothing
     *         committed yet, starts at the beginning anyway)
     */
    public boolean replayUnmarked(String view, Map<TopicPartition, Long> assignments,
                                  ConsumerSeekCallback callback) {
        List<TopicPartition> replayed = new ArrayList<>();
        try {
            for (TopicPartition tp : assignments.keySet()) {
                if (claimReplay(view, tp.topic(), tp.partition())) {
                    replayed.add(tp);
                }
            }
        } catch (DataAccessException e) {
            log.warn("view {}: Redis not reachable, going on from the committed offsets: {}", view, e.toString());
        }
        if (replayed.isEmpty()) {
            return false;
        }
        callback.seekToBeginning(replayed);
        boolean rebuild = replayed.stream().map(assignments::get).anyMatch(offset -> offset != null && offset > 0);
        if (rebuild) {
            log.info("view {}: rebuilding from the beginning of {} (were at offsets {}); progress: the consumer's "
                    + "records-lag metric", view, replayed, replayed.stream().map(assignments::get).toList());
        }
        return rebuild;
    }
}
