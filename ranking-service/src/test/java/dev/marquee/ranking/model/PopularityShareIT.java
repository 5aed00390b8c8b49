package dev.marquee.ranking.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The ranker reads an item's popularity as a share of the most popular item's, on the real Redis: the same share
 * whatever the decay landmark, so a history imported from years ago keeps the feature (its decayed counts are ~0 now).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "marquee.ranking.model-dir=target/share-models-${random.uuid}"})
@NeedsInfrastructure
class PopularityShareIT {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    FeatureStore store;

    @Test
    void popularityIsAShareOfTheTopItemsWhateverTheDecayLandmark() {
        String top = "ps-top-" + run, half = "ps-half-" + run, none = "ps-none-" + run;
        String landmarks = redis.<String, String>opsForHash().get(RedisKeys.DECAY_LANDMARKS, RedisKeys.DECAY_POPULAR);
        try {
            for (String id : List.of(top, half, none)) {
                redis.opsForHash().putAll(RedisKeys.item(id), Map.of(RedisKeys.ITEM_CATEGORY, "films",
                        RedisKeys.ITEM_TITLE, id));
            }
            // above any score another test leaves (forward-decay scores stay under 2^40 ~ 1.1e12)
            redis.opsForZSet().add(RedisKeys.POPULAR, top, 4e13);
            redis.opsForZSet().add(RedisKeys.POPULAR, half, 2e13);
            for (String landmark : List.of("0/86400000", "1000000000000/3600000")) {
                // 1970 with a day's half-life, and 2001 with an hour's: the decayed counts differ by 2^200000
                redis.opsForHash().put(RedisKeys.DECAY_LANDMARKS, RedisKeys.DECAY_POPULAR, landmark);
                Map<String, ItemFeatures> items = store.items(List.of(top, half, none));
                assertThat(items.get(top).popularity()).isCloseTo(1.0, within(1e-12));
                assertThat(items.get(half).popularity()).isCloseTo(0.5, within(1e-12));
                assertThat(items.get(none).popularity()).isZero();
            }
        } finally {
            redis.opsForZSet().remove(RedisKeys.POPULAR, top, half);
            if (landmarks != null) {
                redis.opsForHash().put(RedisKeys.DECAY_LANDMARKS, RedisKeys.DECAY_POPULAR, landmarks);
            } else {
                redis.opsForHash().delete(RedisKeys.DECAY_LANDMARKS, RedisKeys.DECAY_POPULAR);
            }
        }
    }
}
