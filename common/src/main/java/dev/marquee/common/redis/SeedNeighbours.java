package dev.marquee.common.redis;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The two families of neighbour lists that seed items carry, each read through one {@link NeighbourLists} per JVM:
 * the transitions and co-visitation candidate sources and the ranking features read the same seeds' lists, and
 * serving in-process they share the reads and the memory (one bean, {@link FeatureStoreConfiguration}).
 */
public record SeedNeighbours(NeighbourLists transitions, NeighbourLists coVisits) {

    /**
     * @param cacheTtl how long the neighbours and title of a seed item are reused (default 5s; 0 reads Redis every
     *                 time): which items seed a user's list is always read fresh, only the counts of a seed may be
     *                 this old
     * @param depth    neighbours read per seed (default 500, the most candidates retrieval is ever asked for; the
     *                 stream consumer keeps 100 transitions and 50 co-visits per item by default)
     */
    @Validated
    @ConfigurationProperties("marquee.neighbours")
    public record Properties(
            @DefaultValue("5s") @NotNull Duration cacheTtl,
            @DefaultValue("500") @Min(1) @Max(10_000) int depth) {
    }

    static SeedNeighbours of(FeatureStore store, Properties props) {
        return new SeedNeighbours(
                new NeighbourLists(store, RedisKeys::transitions, props.cacheTtl(), props.depth()),
                new NeighbourLists(store, RedisKeys::coVisits, props.cacheTtl(), props.depth()));
    }
}
