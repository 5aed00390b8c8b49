package dev.marquee.common.feature;

import dev.marquee.common.redis.RedisKeys;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the platform keeps about one user, stored as one small Redis value ({@link RedisKeys#user}, see
 * {@link #toBytes()}) so that a user costs one key and one {@code GET}/{@code SET}: taste vector (int8-quantised),
 * recent items, category affinities, event count, the current session, pending impressions. The stream consumer reads,
 * updates and writes it back in one piece; readers turn it into {@link UserFeatures}.
 */
public final class UserState {
    /** First byte of the stored form; another value is a format this code does not know. */
    static final byte FORMAT = 2;
    /** The previous format (category weights as decimal text), still read: states live for up to 30 days. */
    static final byte FORMAT_TEXT_CATEGORIES = 1;

    private float[] taste;
    /** {@link #taste} as stored, when known (read, or quantised when it changed): encoded once, not twice. */
    private byte[] storedTaste;
    private final List<String> recent;
    private final Map<String, Double> categories;
    private long lastMillis;
    private long count;
    private String session;
    private final List<String> sessionItems;
    /**
     * item id -> what awaits the label join for that item (an impression awaiting its outcome, or an engagement that
     * came before its impression), in the stream consumer's format (opaque here).
     */
    private final Map<String, String> pending;

    private UserState(float[] taste, List<String> recent, Map<String, Double> categories, long lastMillis, long count,
                      String session, List<String> sessionItems, Map<String, String> pending) {
        this.taste = taste;
        this.recent = recent;
        this.categories = categories;
        this.lastMillis = lastMillis;
        this.count = count;
        this.session = session;
        this.sessionItems = sessionItems;
        this.pending = pending;
    }

    public static UserState empty() {
        return new UserState(null, new ArrayList<>(), new LinkedHashMap<>(), Long.MIN_VALUE, 0, null,
                new ArrayList<>(), new LinkedHashMap<>());
    }

    /** Reads the stored form ({@link #toBytes()}); {@code null} (no such key) is a new user. */
    public static UserState fromBytes(byte[] stored) {
        return decode(stored, true);
    }

    /**
     * What serving reads of a stored state, {@code fromBytes(stored).features(userId)} without decoding what only the
     * stream consumer uses: the session and the pending impressions (a user's list of shown items waiting for their
     * labels, a quarter of the allocations of reading a user on the gateway).
     */
    public static UserFeatures features(byte[] stored, String userId) {
        return decode(stored, false).features(userId);
    }

    /**
     * The stored form read up to the event count, and on to the session, its items and the pending impressions when
     * {@code consumerFields} (else those stay empty: the fields are stored last, and are not decoded).
     */
    private static UserState decode(byte[] stored, boolean consumerFields) {
        if (stored == null || stored.length == 0) {
            return empty();
        }
        if (stored[0] != FORMAT && stored[0] != FORMAT_TEXT_CATEGORIES) {
            throw new IllegalArgumentException("unknown user state format " + stored[0]);
        }
        ByteBuffer in = ByteBuffer.wrap(stored, 1, stored.length - 1);
        byte[] taste = field(in);
        byte[] recent = field(in);
        byte[] categories = field(in);
        byte[] last = field(in);
        byte[] n = field(in);
        String session = null;
        List<String> sessionItems = new ArrayList<>();
        Map<String, String> pending = new LinkedHashMap<>();
        if (consumerFields) {
            session = str(field(in));
            sessionItems = ids(field(in));
            pending = decodePending(str(field(in)));
        }
        UserState state = new UserState(dequantize(taste), ids(recent),
                stored[0] == FORMAT ? categories(categories) : categories(str(categories)),
                last == null ? Long.MIN_VALUE : Long.parseLong(str(last)), n == null ? 0 : Long.parseLong(str(n)),
                session, sessionItems, pending);
        state.storedTaste = state.taste == null ? null : taste;
        return state;
    }

    /**
     * The stored form, one byte string: {@link #FORMAT}, then taste (float32 scale + int8 per dimension), recent item
     * ids ({@code a,b,...}, newest first), category affinities (per category: name length as an unsigned varint, the
     * name in UTF-8, the weight as a little-endian float32; as decimal text in format 1 the float-to-text
     * conversion took 4 % of the stream consumer's thread), last event time and event count (decimal), session id,
     * session items, pending impressions ({@code item=record;...}), each as a length (unsigned varint, length + 1;
     * 0 = absent) and its bytes. One value instead of a hash of eight fields: a write is
     * one {@code SET} with its expiry and a read one {@code GET} (3.2 instead of 7.2 µs of Redis time for both,
     * measured with redis-benchmark on a 631-byte state).
     */
    public byte[] toBytes() {
        Out out = new Out(16 + (taste == null ? 0 : Float.BYTES + taste.length)
                + 24 * (recent.size() + sessionItems.size() + categories.size() + 2 * pending.size()));
        Out field = new Out(256);
        out.put(FORMAT);
        out.field(taste == null ? null : storedTaste != null ? storedTaste : quantize(taste));
        out.field(field.joined(recent));
        out.field(categoryBytes(field.reset()));
        out.field(field.reset().text(Long.toString(lastMillis)));
        out.field(field.reset().text(Long.toString(count)));
        if (session == null) {
            out.field((byte[]) null);
        } else {
            out.field(field.reset().text(session));
        }
        out.field(field.joined(sessionItems));
        field.reset();
        pending.forEach((item, record) -> {
            if (field.pos > 0) {
                field.put((byte) ';');
            }
            field.text(item).put((byte) '=').text(record);
        });
        out.field(field);
        return Arrays.copyOf(out.buf, out.pos);
    }

    /** Category affinities as stored (see {@link #toBytes()}), written to {@code out}. */
    private Out categoryBytes(Out out) {
        categories.forEach((c, w) -> {
            byte[] name = b(c);
            out.varint(name.length);
            out.put(name);
            out.putFloat((float) (double) w);
        });
        return out;
    }

    /**
     * A growing byte buffer the stored form is written into directly: no joined strings, no field arrays copied
     * again (building them took a third of {@link #toBytes()}).
     */
    private static final class Out {
        byte[] buf;
        int pos;

        Out(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        Out reset() {
            pos = 0;
            return this;
        }

        private void ensure(int more) {
            if (pos + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
            }
        }

        Out put(byte b) {
            ensure(1);
            buf[pos++] = b;
            return this;
        }

        Out put(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
            return this;
        }

        void putFloat(float f) {
            int bits = Float.floatToIntBits(f);
            ensure(Float.BYTES);
            for (int i = 0; i < Float.BYTES; i++) {
                buf[pos++] = (byte) (bits >>> (8 * i)); // little-endian
            }
        }

        void varint(int v) {
            ensure(5);
            while ((v & ~0x7F) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        /** {@code s} in UTF-8: ASCII (every id) copied char by char, anything else encoded by the JDK. */
        Out text(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    return put(b(s));
                }
                buf[pos + i] = (byte) c;
            }
            pos += n;
            return this;
        }

        /** This buffer, emptied, holding {@code ids} separated by commas. */
        Out joined(List<String> ids) {
            reset();
            for (int i = 0; i < ids.size(); i++) {
                if (i > 0) {
                    put((byte) ',');
                }
                text(ids.get(i));
            }
            return this;
        }

        /** A field: its length + 1 as a varint (0 for absent), then its bytes. */
        void field(byte[] f) {
            if (f == null) {
                varint(0);
                return;
            }
            varint(f.length + 1);
            put(f);
        }

        void field(Out f) {
            varint(f.pos + 1);
            ensure(f.pos);
            System.arraycopy(f.buf, 0, buf, pos, f.pos);
            pos += f.pos;
        }
    }

    private static Map<String, Double> categories(byte[] stored) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (stored != null) {
            ByteBuffer in = ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN);
            while (in.hasRemaining()) {
                byte[] name = new byte[readVarint(in)];
                in.get(name);
                out.put(new String(name, StandardCharsets.UTF_8), (double) in.getFloat());
            }
        }
        return out;
    }

    private static int readVarint(ByteBuffer in) {
        int v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
    }

    private static byte[] field(ByteBuffer in) {
        int v = readVarint(in);
        if (v == 0) {
            return null;
        }
        byte[] f = new byte[v - 1];
        in.get(f);
        return f;
    }

    public UserFeatures features(String userId) {
        return new UserFeatures(userId, taste, Map.copyOf(categories), count, List.copyOf(recent));
    }

    // --- updates, used by the stream consumer ---------------------------------------------------------------------

    /**
     * Advances the user's clock to {@code millis} and returns the time elapsed since the previous event (0 for the
     * first event, and for an event older than the latest one: late events decay nothing).
     */
    public long advanceTo(long millis) {
        if (lastMillis == Long.MIN_VALUE || millis <= lastMillis) {
            lastMillis = Math.max(lastMillis, millis);
            return 0;
        }
        long elapsed = millis - lastMillis;
        lastMillis = millis;
        return elapsed;
    }

    /** {@code 2^(-elapsed/halfLife)}. */
    public static double decay(long elapsedMillis, long halfLifeMillis) {
        return elapsedMillis <= 0 ? 1.0 : Math.pow(2, -(double) elapsedMillis / halfLifeMillis);
    }

    public void addTaste(double decay, float[] itemVector, double weight) {
        if (taste != null && taste.length != itemVector.length) {
            taste = null; // the encoder model changed: start the taste over in the new space
        }
        // kept in stored precision after every event, so the state never depends on how events were batched
        storedTaste = quantize(Vectors.decayAndAdd(taste, decay, itemVector, weight));
        taste = dequantize(storedTaste);
    }

    /** Decays every category by {@code decay}, adds {@code weight} to {@code category} and keeps the top {@code cap}. */
    public void addCategory(double decay, String category, double weight, int cap) {
        // float precision after every event, as stored: the state never depends on how events were batched
        categories.replaceAll((c, w) -> (double) (float) (w * decay));
        categories.merge(category, (double) (float) weight, (a, b) -> (double) (float) (a + b));
        categories.computeIfPresent(category, (c, w) -> w <= 0 ? null : w);
        if (categories.size() > cap) {
            List<Map.Entry<String, Double>> kept = categories.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())).limit(cap).toList();
            Map<String, Double> copy = new LinkedHashMap<>();
            kept.forEach(e -> copy.put(e.getKey(), e.getValue()));
            categories.clear();
            categories.putAll(copy);
        }
    }

    /** Puts the item first in the recent list (moving it if present) and keeps the newest {@code cap}. */
    public void addRecent(String itemId, int cap) {
        pushFront(recent, itemId, cap);
    }

    public void countEvent() {
        count++;
    }

    /**
     * Enters the event's session and returns the items seen earlier in it (newest first). Events without a session id
     * continue the current implicit session unless more than {@code gapMillis} passed since the user's last event.
     */
    public List<String> enterSession(String sessionId, long eventMillis, long previousMillis, long gapMillis) {
        String next;
        if (sessionId != null) {
            next = sessionId;
        } else if (session != null && session.startsWith(IMPLICIT_SESSION)
                && previousMillis != Long.MIN_VALUE && eventMillis - previousMillis <= gapMillis) {
            next = session;
        } else {
            next = IMPLICIT_SESSION + eventMillis;
        }
        if (!next.equals(session)) {
            session = next;
            sessionItems.clear();
        }
        return List.copyOf(sessionItems);
    }

    public void addSessionItem(String itemId, int cap) {
        pushFront(sessionItems, itemId, cap);
    }

    public long lastMillis() {
        return lastMillis;
    }

    public float[] taste() {
        return taste;
    }

    public Map<String, Double> categories() {
        return categories;
    }

    public List<String> recent() {
        return recent;
    }

    public String session() {
        return session;
    }

    public long count() {
        return count;
    }

    /** Impressions awaiting their label: item id -> the stream consumer's record of it (mutable). */
    public Map<String, String> pending() {
        return pending;
    }

    /** Reads the stored form of {@link #pending()}: {@code item=record;item=record}. */
    private static Map<String, String> decodePending(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s != null && !s.isEmpty()) {
            for (String entry : s.split(";")) {
                int eq = entry.indexOf('=');
                out.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return out;
    }

    /** Prefix of session ids the consumer makes up for events that came without one. */
    public static final String IMPLICIT_SESSION = "~";

    // --- encoding ------------------------------------------------------------------------------------------------

    /**
     * Taste vectors are stored as one float32 scale followed by one signed byte per dimension (value = byte * scale):
     * a quarter of float32's size, and a cosine error below 1% for the use they have (ANN query, one feature).
     */
    static byte[] quantize(float[] v) {
        float max = 0;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        float scale = max == 0 ? 0 : max / 127f;
        byte[] out = new byte[Float.BYTES + v.length];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, scale);
        if (scale != 0) {
            for (int i = 0; i < v.length; i++) {
                out[Float.BYTES + i] = (byte) Math.round(v[i] / scale);
            }
        }
        return out;
    }

    static float[] dequantize(byte[] bytes) {
        if (bytes == null || bytes.length <= Float.BYTES) {
            return null;
        }
        float scale = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat(0);
        float[] v = new float[bytes.length - Float.BYTES];
        for (int i = 0; i < v.length; i++) {
            v[i] = bytes[Float.BYTES + i] * scale;
        }
        return v;
    }

    /** What a vector looks like after a round trip through the store. */
    public static float[] stored(float[] v) {
        return dequantize(quantize(v));
    }

    private static void pushFront(List<String> list, String id, int cap) {
        list.remove(id);
        list.add(0, id);
        while (list.size() > cap) {
            list.remove(list.size() - 1);
        }
    }

    /** Format 1's category affinities: {@code name:weight,...}. */
    private static Map<String, Double> categories(String s) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (s != null && !s.isEmpty()) {
            for (String part : s.split(",")) {
                int colon = part.lastIndexOf(':');
                out.put(part.substring(0, colon), (double) Float.parseFloat(part.substring(colon + 1)));
            }
        }
        return out;
    }

    private static List<String> ids(byte[] b) {
        String s = str(b);
        return s == null || s.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(s.split(",")));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
