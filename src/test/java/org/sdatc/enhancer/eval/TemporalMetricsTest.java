package org.sdatc.enhancer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;

/** Warping error and tOF against the ground truth's own motion, on a clip of known motion. */
class TemporalMetricsTest {
    /** Everything moves 2 px right and 1 px down per frame. */
    private final List<Image> truth = SyntheticClip.translating(
            96, 64, 9, new int[] {2, 1}, new int[] {2, 1}, new int[] {2, 1}, new int[] {2, 1});

    private final ReferenceMotion motion = ReferenceMotion.of(truth, () -> {});

    @Test
    void theGroundTruthsOwnFlowFindsTheMotionAndWarpsItsFramesAlmostExactly() {
        var pair = motion.pair(1);
        // The flow from frame 1 back to frame 0 is (-2, -1) inside the frame.
        assertEquals(-2, pair.backward().dx(48, 32), 0.25);
        assertEquals(-1, pair.backward().dy(48, 32), 0.25);
        for (double e : motion.ownWarpError()) {
            assertTrue(e < 2e-3, "own warping error " + e);
        }
    }

    @Test
    void anOutputEqualToTheGroundTruthScoresItsOwnWarpingErrorAndNoFlowDistance() {
        for (int t = 1; t < truth.size(); t++) {
            double e = TemporalMetrics.warpError(
                    truth.get(t - 1).toTensor(), truth.get(t).toTensor(), motion.pair(t));
            assertEquals(motion.ownWarpError()[t - 1], e, 1e-12);
            assertEquals(
                    0,
                    TemporalMetrics.flowDistance(
                            motion.pair(t).backward(), motion.pair(t).backward()));
        }
    }

    @Test
    void flickerTheGroundTruthDoesNotHaveRaisesTheWarpingError() {
        List<Image> flicker = new ArrayList<>();
        for (int t = 0; t < truth.size(); t++) {
            flicker.add(brighter(truth.get(t), t % 2 == 0 ? 0 : 20));
        }
        for (int t = 1; t < truth.size(); t++) {
            Tensor a = flicker.get(t - 1).toTensor();
            Tensor b = flicker.get(t).toTensor();
            double e = TemporalMetrics.warpError(a, b, motion.pair(t));
            assertTrue(
                    e > 5 * motion.ownWarpError()[t - 1], "flicker " + e + " vs own " + motion.ownWarpError()[t - 1]);
        }
    }

    private static Image brighter(Image src, int by) {
        byte[] rgb = src.rgb().clone();
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) Math.min(255, (rgb[i] & 0xff) + by);
        }
        return new Image(src.width(), src.height(), rgb);
    }
}
