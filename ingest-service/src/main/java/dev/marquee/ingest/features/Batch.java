package dev.marquee.ingest.features;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.feature.ForwardDecay;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ingest.config.FeatureProperties;
import dev.marquee.ingest.features.FeatureUpdater.StreamEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One batch of the stream consumer: the state it read (filled by {@link FeatureUpdater}), the changes its events
 * compute ({@link EventEffects}, grouped by user into {@link WriteGroup}s), and what a later batch must take from it
 * while its writes may not be applied yet ({@link #overlay}).
 */
final class Batch {
    final List<StreamEvent> events;
    /** The events' id hashes, in event order. */
    final List<Long> hashes = new ArrayList<>();
    /** The seen-event shard of each hash (its user's). */
    final Map<Long, Integer> shardOf = new HashMap<>();
    /** The batch's users, in order of first event. */
    final Set<String> users = new LinkedHashSet<>();
    final Set<Long> seenBefore = new HashSet<>();
    final Map<String, ForwardDecay> landmarks = new HashMap<>();
    final Set<String> knownCategories = new HashSet<>();
    final Map<String, UserState> states = new HashMap<>();
    final Map<String, FeatureStore.ItemTaste> items = new HashMap<>();
    final LabelJoiner labels;

    /** Hashes of the events this batch applies (each once; the group of each event lists it for its write). */
    final Set<Long> applied = new HashSet<>();
    final Set<String> touchedUsers = new LinkedHashSet<>();
    /** The batch's users in groups, each written by its own transaction. */
    final List<WriteGroup> groups = new ArrayList<>();
    final Map<String, WriteGroup> groupOfUser = new HashMap<>();
    final Set<String> newCategories = new LinkedHashSet<>();
    /** Decay landmarks this batch moved or created, to be stored. */
    final Map<String, ForwardDecay> rescaled = new LinkedHashMap<>();
    /** For each landmark moved, the factor every score counted against the old one is multiplied by. */
    final Map<String, Double> rescaleFactors = new HashMap<>();
    ForwardDecay popular;
    ForwardDecay trending;
    private final FeatureProperties props;
    private final EventEffects effects;
    private final Map<Integer, Long> eventTime;

    /** @param eventTime per partition, the latest event time applied (updated by {@link #compute}) */
    Batch(List<StreamEvent> events, FeatureProperties props, EventEffects effects, LabelJoiner labels,
          Map<Integer, Long> eventTime) {
        this.events = events;
        this.props = props;
        this.effects = effects;
        this.labels = labels;
        this.eventTime = eventTime;
    }

    /**
     * Takes from {@code previous} (the batch sent before, whose writes these reads may have run before) what it
     * changed: its users' states, its event ids, the decay landmarks and the categories it added.
     */
    void overlay(Batch previous) {
        previous.touchedUsers.forEach(u -> {
            if (states.containsKey(u)) {
                states.put(u, previous.states.get(u));
            }
        });
        for (long h : hashes) {
            if (previous.applied.contains(h)) {
                seenBefore.add(h);
            }
        }
        landmarks.put(RedisKeys.DECAY_POPULAR, previous.popular);
        landmarks.put(RedisKeys.DECAY_TRENDING, previous.trending);
        knownCategories.addAll(previous.knownCategories);
        knownCategories.addAll(previous.newCategories);
    }

    /** Applies the events not seen before, in order; returns how many. */
    int compute() {
        long latest = Long.MIN_VALUE;
        for (StreamEvent se : events) {
            latest = Math.max(latest, se.event().timestamp().toEpochMilli());
        }
        popular = landmark(RedisKeys.DECAY_POPULAR, props.popularHalfLife(), latest);
        trending = landmark(RedisKeys.DECAY_TRENDING, props.trendingHalfLife(), latest);
        for (int i = 0; i < events.size(); i++) {
            StreamEvent se = events.get(i);
            long h = hashes.get(i);
            if (seenBefore.contains(h) || !applied.add(h)) {
                continue;
            }
            WriteGroup group = groupOf(se.event().userId());
            group.applied.add(h);
            apply(se, group);
            eventTime.merge(se.partition(), se.event().timestamp().toEpochMilli(), Math::max);
        }
        for (WriteGroup g : groups) {
            for (String c : g.categories) {
                if (!knownCategories.contains(c)) {
                    newCategories.add(c);
                }
            }
        }
        return applied.size();
    }

    private void apply(StreamEvent se, WriteGroup group) {
        InteractionEvent e = se.event();
        UserState user = states.get(e.userId());
        if (e.type() == EventType.IMPRESSION) {
            group.impressions.merge(e.itemId(), 1L, Long::sum);
            if (LabelJoiner.joins(e)) {
                labels.impression(se.partition(), e, user);
                touchedUsers.add(e.userId());
            }
            return;
        }
        touchedUsers.add(e.userId());
        effects.apply(e, user, items.get(e.itemId()), popular, trending, group);
        if (e.type().isEngagement()) {
            labels.engagement(se.partition(), e, user);
        }
    }

    /** The user's group: the last one while it has room ({@code write-group-users}), else a new one. */
    private WriteGroup groupOf(String user) {
        WriteGroup g = groupOfUser.get(user);
        if (g == null) {
            g = groups.isEmpty() ? null : groups.get(groups.size() - 1);
            if (g == null || g.users == props.writeGroupUsers()) {
                g = new WriteGroup();
                groups.add(g);
            }
            g.users++;
            groupOfUser.put(user, g);
        }
        return g;
    }

    private ForwardDecay landmark(String family, Duration halfLife, long latest) {
        ForwardDecay d = landmarks.get(family);
        if (d == null || d.halfLifeMillis() != halfLife.toMillis()) {
            d = ForwardDecay.startingAt(latest, halfLife.toMillis());
            rescaled.put(family, d); // a new family (or a new half-life): nothing to rescale, store it
            return d;
        }
        if (d.needsRescale(latest)) {
            ForwardDecay moved = d.movedTo(latest);
            rescaled.put(family, moved);
            rescaleFactors.put(family, d.rescaleFactor(moved));
            return moved;
        }
        return d;
    }
}
