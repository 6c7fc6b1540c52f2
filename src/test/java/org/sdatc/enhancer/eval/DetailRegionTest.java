package org.sdatc.enhancer.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;

/** The report's crop: the most detailed square, aligned with the low-resolution frame. */
class DetailRegionTest {
    @Test
    void findsTheOnlyTexturedPatchOfAFlatFrame() {
        Image frame = FrameMetricsTest.filled(320, 240, 90, 90, 90);
        Image texture = SyntheticClip.generate(128, 128, 1, 4).get(0);
        paste(texture, frame, 168, 96);

        DetailRegion region = DetailRegion.find(frame, 3);

        assertEquals(new DetailRegion(3, 168, 96, 128), region);
        assertArrayEquals(texture.rgb(), region.crop(frame).rgb());
    }

    @Test
    void theLowResolutionCropIsTheSameRegionWithEachPixelRepeatedFourTimes() {
        Image lowRes = SyntheticClip.generate(80, 60, 1, 2).get(0);
        DetailRegion region = new DetailRegion(0, 40, 20, 64);

        Image crop = region.cropLowRes(lowRes);

        assertEquals(64, crop.width());
        for (int c = 0; c < 3; c++) {
            assertEquals(lowRes.sample(10, 5, c), crop.sample(0, 0, c));
            assertEquals(lowRes.sample(10, 5, c), crop.sample(3, 3, c));
            assertEquals(lowRes.sample(11, 5, c), crop.sample(4, 0, c));
            assertEquals(lowRes.sample(25, 20, c), crop.sample(63, 63, c));
        }
    }

    @Test
    void smallFramesGetASmallerCropThatStillFits() {
        Image frame = SyntheticClip.generate(96, 64, 1, 5).get(0);

        DetailRegion region = DetailRegion.find(frame, 0);

        assertEquals(64, region.size());
        assertEquals(0, region.x() % 4);
    }

    private static void paste(Image src, Image dst, int x0, int y0) {
        for (int y = 0; y < src.height(); y++) {
            System.arraycopy(
                    src.rgb(), y * src.width() * 3, dst.rgb(), ((y0 + y) * dst.width() + x0) * 3, src.width() * 3);
        }
    }
}
