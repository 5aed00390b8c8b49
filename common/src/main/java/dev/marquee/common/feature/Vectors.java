package dev.marquee.common.feature;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Dense float vectors: the wire format used in Redis (float32, little endian) and the arithmetic on them. */
public final class Vectors {
    private Vectors() {
    }

    public static byte[] toBytes(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        return buf.array();
    }

    public static float[] fromBytes(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length % Float.BYTES != 0) {
            throw new IllegalArgumentException("vector bytes length " + bytes.length + " is not a multiple of 4");
        }
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    public static double dot(float[] a, float[] b) {
        requireSameDimension(a, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    public static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    /**
     * Cosine similarity; 0 when either vector is missing or zero, or when their dimensions differ (vectors from
     * different encoder models say nothing about each other).
     */
    public static double cosine(float[] a, float[] b) {
        if (a == null || b == null || a.length != b.length) {
            return 0.0;
        }
        // one pass for the three sums (each in the order dot() adds, so the same value): the ranker computes this
        // for every candidate of every request
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            double y = b[i];
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        double na = Math.sqrt(aa);
        double nb = Math.sqrt(bb);
        return na == 0 || nb == 0 ? 0.0 : ab / (na * nb);
    }

    /** A unit-length copy; a zero vector stays zero. */
    public static float[] normalized(float[] a) {
        double n = norm(a);
        float[] out = new float[a.length];
        if (n == 0) {
            return out;
        }
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) (a[i] / n);
        }
        return out;
    }

    /** {@code decay * acc + weight * v}; a missing {@code acc} counts as zero. */
    public static float[] decayAndAdd(float[] acc, double decay, float[] v, double weight) {
        float[] out = new float[v.length];
        if (acc != null) {
            requireSameDimension(acc, v);
        }
        for (int i = 0; i < v.length; i++) {
            double prev = acc == null ? 0.0 : acc[i];
            out[i] = (float) (decay * prev + weight * v[i]);
        }
        return out;
    }

    private static void requireSameDimension(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector dimensions differ: " + a.length + " vs " + b.length);
        }
    }
}
