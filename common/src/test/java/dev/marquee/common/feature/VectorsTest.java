package dev.marquee.common.feature;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorsTest {
    @Test
    void cosineInOnePassEqualsTheDotOverTheNormsToTheLastBit() {
        Random random = new Random(3);
        for (int trial = 0; trial < 1000; trial++) {
            int dim = 1 + random.nextInt(600);
            float[] a = new float[dim];
            float[] b = new float[dim];
            for (int i = 0; i < dim; i++) {
                a[i] = (float) random.nextGaussian();
                b[i] = (float) random.nextGaussian();
            }
            double expected = Vectors.dot(a, b) / (Vectors.norm(a) * Vectors.norm(b));
            assertThat(Vectors.cosine(a, b)).isEqualTo(expected);
        }
    }

    @Test
    void cosineIsZeroForAMissingZeroOrMismatchedVector() {
        assertThat(Vectors.cosine(null, new float[] {1f})).isZero();
        assertThat(Vectors.cosine(new float[] {0f, 0f}, new float[] {1f, 2f})).isZero();
        assertThat(Vectors.cosine(new float[] {1f, 2f}, new float[] {1f, 2f, 3f})).isZero();
    }
}
