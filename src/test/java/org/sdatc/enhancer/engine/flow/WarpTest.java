package org.sdatc.enhancer.engine.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.sampler.GaussianNoise;
import org.sdatc.enhancer.tensor.Tensor;
import org.sdatc.enhancer.tensor.Tensors;

class WarpTest {
    static FlowField randomFlow(long seed, int h, int w, float amplitude) {
        Tensor t = GaussianNoise.sample(seed, 2, h, w);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] *= amplitude;
        }
        return new FlowField(t);
    }

    @Test
    void shouldBeExactlyTheAdjointInTheDotProductTest() {
        int h = 37;
        int w = 53;
        for (long seed = 1; seed <= 5; seed++) {
            // Large random vectors so many taps fall outside the frame and hit the zero padding.
            FlowField flow = randomFlow(seed, h, w, 6f);
            Tensor x = GaussianNoise.sample(seed + 100, 3, h, w);
            Tensor y = GaussianNoise.sample(seed + 200, 3, h, w);
            double lhs = Tensors.dot(Warp.backward(x, flow), y);
            double rhs = Tensors.dot(x, Warp.backwardAdjoint(y, flow));
            assertEquals(lhs, rhs, 1e-4 * Math.abs(lhs), "seed " + seed);
        }
    }

    @Test
    void shouldSampleAtThePositionTheFlowPointsTo() {
        int h = 8;
        int w = 10;
        Tensor src = Tensor.zeros(1, h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                src.data()[y * w + x] = 3 * x + 7 * y;
            }
        }
        Tensor out = Warp.backward(src, FlowField.uniform(h, w, 1.25f, -0.5f));
        // A linear ramp is reproduced exactly by bilinear sampling inside the frame.
        assertEquals(3 * (2 + 1.25) + 7 * (4 - 0.5), out.data()[4 * w + 2], 1e-4);
        // Sampling beyond the right edge reads zeros.
        assertEquals(0, out.data()[4 * w + 9], 1e-6);
    }

    @Test
    void shouldScaleVectorsWhenResizingAFlowToLatentSize() {
        FlowField frameFlow = FlowField.uniform(270, 480, 8f, -4f);
        FlowField latent = frameFlow.resize(135, 240);
        assertEquals(4f, latent.dx(100, 50), 1e-5);
        assertEquals(-2f, latent.dy(100, 50), 1e-5);
    }

    @Test
    void shouldMarkConsistentPixelsValidAndOccludedOrOutOfFramePixelsInvalid() {
        int h = 20;
        int w = 30;
        FlowField fw = FlowField.uniform(h, w, 3f, 0f);
        FlowField bw = FlowField.uniform(h, w, -3f, 0f);
        Tensor m = Occlusion.mask(fw, bw);
        assertEquals(1f, m.data()[5 * w + 10]);
        assertEquals(0f, m.data()[5 * w + 28], "x + 3 falls outside the frame");
        // A backward flow that disagrees (an occluding object) invalidates the pixels that see it.
        Tensor bad = bw.data().copy();
        for (int y = 0; y < h; y++) {
            for (int x = 12; x < 18; x++) {
                bad.data()[y * w + x] = 4f;
            }
        }
        Tensor m2 = Occlusion.mask(fw, new FlowField(bad));
        assertEquals(0f, m2.data()[5 * w + 11], "pixel 11 lands on 14, where the backward flow disagrees");
        assertEquals(1f, m2.data()[5 * w + 5]);
        double valid = 0;
        for (float v : m2.data()) {
            valid += v;
        }
        assertTrue(valid < h * w - h * 6, "occluded band should be excluded");
    }
}
