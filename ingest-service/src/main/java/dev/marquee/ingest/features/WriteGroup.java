package dev.marquee.ingest.features;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A group of a batch's users and what their events change beyond the users' own states: written together by one
 * transaction ({@link FeatureWrites}), with the ids of the events it applied.
 */
final class WriteGroup {
    int users;
    /** Hashes of the events applied in this group (marked seen by its transaction). */
    final List<Long> applied = new ArrayList<>();
    final Map<String, Long> impressions = new HashMap<>();
    final Map<String, Long> clicks = new HashMap<>();
    /** sorted set -> member -> increment (popularity, trending, co-visitation, transitions). */
    final Map<CountedSets.Key, Map<String, Double>> increments = new LinkedHashMap<>();
    /** user -> item -> time of the user's latest interaction with it (their history). */
    final Map<String, Map<String, Long>> history = new LinkedHashMap<>();
    /** Users whose taste vector an event of this group moved (their ANN lists are due). */
    final Set<String> tasteChanged = new LinkedHashSet<>();
    /** Categories whose popularity an event of this group incremented. */
    final Set<String> categories = new LinkedHashSet<>();

    void increment(CountedSets.Family family, String of, String member, double by) {
        increments.computeIfAbsent(new CountedSets.Key(family, of), k -> new LinkedHashMap<>())
                .merge(member, by, Double::sum);
    }
}
