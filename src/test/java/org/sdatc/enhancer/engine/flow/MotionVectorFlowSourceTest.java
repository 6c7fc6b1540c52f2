package org.sdatc.enhancer.engine.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;
import org.sdatc.enhancer.tensor.Tensor;

class MotionVectorFlowSourceTest {
    private static final MotionVectorFlowSource SOURCE = new MotionVectorFlowSource(new DisFlowSource());

    /** A field of one vector (vx, vy) everywhere except an uncovered block at (16..31, 16..31). */
    private static MotionField uniformWithHole(int w, int h, float vx, float vy, boolean hole) {
        FlowField f = FlowField.uniform(h, w, vx, vy);
        float[] valid = new float[w * h];
        Arrays.fill(valid, 1f);
        if (hole) {
            for (int y = 16; y < 32; y++) {
                Arrays.fill(f.data().data(), y * w + 16, y * w + 32, 0f);
                Arrays.fill(f.data().data(), w * h + y * w + 16, w * h + y * w + 32, 0f);
                Arrays.fill(valid, y * w + 16, y * w + 32, 0f);
            }
        }
        return new MotionField(f.data(), new Tensor(valid, h, w));
    }

    @Test
    void shouldUseTheCodedVectorsAsBackwardFlowFillIntraBlocksAndInvertThemForwards() {
        List<Image> frames = SyntheticClip.translating(64, 48, 3, new int[] {2, -1});
        FlowPair p = SOURCE.flows(frames, Arrays.asList(null, uniformWithHole(64, 48, -2, 1, true)))
                .get(0);
        for (int[] xy : new int[][] {{5, 5}, {20, 20}, {60, 40}}) {
            int x = xy[0];
            int y = xy[1];
            assertEquals(-2f, p.backward().dx(x, y), 1e-6, "backward dx at " + x + "," + y);
            assertEquals(1f, p.backward().dy(x, y), 1e-6, "backward dy at " + x + "," + y);
            assertEquals(2f, p.forward().dx(x, y), 1e-6, "forward dx at " + x + "," + y);
            assertEquals(-1f, p.forward().dy(x, y), 1e-6, "forward dy at " + x + "," + y);
        }
    }

    @Test
    void shouldFallBackToDisForPairsWithoutUsableVectors() {
        List<Image> frames = SyntheticClip.translating(64, 48, 3, new int[] {2, -1}, new int[] {2, -1});
        MotionField sparse = uniformWithHole(64, 48, -2, 1, false);
        Arrays.fill(sparse.valid().data(), 0, 64 * 30, 0f); // 62% of the frame uncovered
        List<FlowPair> mixed = SOURCE.flows(frames, Arrays.asList(null, null, sparse));
        List<FlowPair> dis = new DisFlowSource().flows(frames);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(
                    dis.get(i).backward().data().data(),
                    mixed.get(i).backward().data().data(),
                    "pair " + i);
            assertArrayEquals(
                    dis.get(i).forward().data().data(),
                    mixed.get(i).forward().data().data(),
                    "pair " + i);
        }
        assertEquals(dis.size(), SOURCE.flows(frames).size());
    }

    @Test
    void shouldInvertASmoothNonUniformFieldToWithinATenthOfAPixel() {
        // v(x) = (-2 - x / 64, 0): a stretch; the forward flow f must satisfy f(x) = -v(x + f(x)).
        int w = 64;
        int h = 16;
        Tensor t = Tensor.zeros(2, h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                t.data()[y * w + x] = -2 - x / 64f;
            }
        }
        FlowField f = MotionVectorFlowSource.invert(new FlowField(t));
        for (int x = 4; x < w - 8; x++) {
            float fx = f.dx(x, 8);
            float back = -2 - (x + fx) / 64f;
            assertEquals(0, fx + back, 0.1, "f + v(x + f) at x = " + x);
        }
    }
}
