package org.sdatc.enhancer.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KernelsTest {
    @Test
    void shouldResizeALinearRampBilinearlyWithHalfPixelCentres() {
        Tensor ramp = Tensor.zeros(1, 1, 4);
        for (int x = 0; x < 4; x++) {
            ramp.data()[x] = x;
        }
        Tensor up = Resize.bilinear(ramp, 1, 8);
        // Output x maps to input (x + 0.5) / 2 - 0.5, clamped at the edges.
        float[] expected = {0f, 0.25f, 0.75f, 1.25f, 1.75f, 2.25f, 2.75f, 3f};
        for (int x = 0; x < 8; x++) {
            assertEquals(expected[x], up.data()[x], 1e-6);
        }
    }

    @Test
    void shouldKeepMeanAndFlatImagesUnderTheDilatedBlur() {
        Tensor flat = Tensor.zeros(2, 9, 11);
        java.util.Arrays.fill(flat.data(), 0.4f);
        Tensor b = Blur.binomial3x3(flat, 4);
        assertEquals(0, Tensors.maxAbsDiff(flat, b), 1e-6);
        Tensor impulse = Tensor.zeros(1, 9, 9);
        impulse.data()[4 * 9 + 4] = 1f;
        Tensor spread = Blur.binomial3x3(impulse, 2);
        assertEquals(0.25f, spread.data()[4 * 9 + 4], 1e-6);
        assertEquals(0.125f, spread.data()[4 * 9 + 6], 1e-6);
        assertEquals(0f, spread.data()[4 * 9 + 5], 1e-6);
    }

    @Test
    void shouldComputeChannelMeanAndPopulationDeviation() {
        Tensor t = new Tensor(new float[] {1, 3, 1, 3, 5, 5, 5, 5}, 2, 2, 2);
        var s = Tensors.channelStats(t);
        assertEquals(2, s.mean(0), 1e-12);
        assertEquals(1, s.std(0), 1e-12);
        assertEquals(5, s.mean(1), 1e-12);
        assertEquals(0, s.std(1), 1e-12);
    }
}
