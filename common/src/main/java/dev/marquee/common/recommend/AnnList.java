package dev.marquee.common.recommend;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A user's items nearest to their taste vector, best first, as computed off the request path
 * ({@code dev.marquee.common.redis.RedisKeys#annList}), with what it was computed from: the user's event count and
 * the catalog version of the item vectors searched. Stored as bytes: {@code eventCount} and {@code catalogVersion}
 * (8 bytes each), the number of items (4), then per item its id (2-byte length, UTF-8) and score (float).
 */
public record AnnList(long eventCount, long catalogVersion, List<String> itemIds, float[] scores) {
    public AnnList {
        if (itemIds.size() != scores.length) {
            throw new IllegalArgumentException(itemIds.size() + " items, " + scores.length + " scores");
        }
        itemIds = List.copyOf(itemIds);
    }

    /** The first {@code n} items not in {@code exclude}, as candidates of {@code source}. */
    public List<Candidate> candidates(int n, Set<String> exclude, String source, String reason) {
        List<Candidate> out = new ArrayList<>(Math.min(n, itemIds.size()));
        for (int i = 0; i < itemIds.size() && out.size() < n; i++) {
            if (!exclude.contains(itemIds.get(i))) {
                out.add(new Candidate(itemIds.get(i), scores[i], source, reason));
            }
        }
        return out;
    }

    public byte[] toBytes() {
        List<byte[]> ids = itemIds.stream().map(id -> id.getBytes(StandardCharsets.UTF_8)).toList();
        int size = 20 + ids.stream().mapToInt(b -> 6 + b.length).sum();
        ByteBuffer out = ByteBuffer.allocate(size).putLong(eventCount).putLong(catalogVersion).putInt(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i).length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("item id of " + ids.get(i).length + " bytes");
            }
            out.putShort((short) ids.get(i).length).put(ids.get(i)).putFloat(scores[i]);
        }
        return out.array();
    }

    /** The list stored as {@link #toBytes}, or {@code null} for {@code null} (no list stored). */
    public static AnnList fromBytes(byte[] stored) {
        if (stored == null) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(stored);
        long eventCount = in.getLong();
        long catalogVersion = in.getLong();
        int n = in.getInt();
        List<String> ids = new ArrayList<>(n);
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            byte[] id = new byte[in.getShort()];
            in.get(id);
            ids.add(new String(id, StandardCharsets.UTF_8));
            scores[i] = in.getFloat();
        }
        return new AnnList(eventCount, catalogVersion, ids, scores);
    }
}
