package org.sdatc.enhancer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;

/** Luma, Y-PSNR and SSIM on frames whose answers are known. */
class FrameMetricsTest {
    @Test
    void lumaIsBt601LimitedRangeWhiteAt235AndBlackAt16() {
        Image white = filled(8, 8, 255, 255, 255);
        Image black = filled(8, 8, 0, 0, 0);
        Image red = filled(8, 8, 255, 0, 0);

        assertEquals(235, Luma.of(white).at(3, 3));
        assertEquals(16, Luma.of(black).at(3, 3));
        assertEquals(81, Luma.of(red).at(0, 0), "16 + 65.481 = 81.48");
    }

    @Test
    void identicalFramesScoreAHundredDecibelsAndSsimOne() {
        Luma y = Luma.of(SyntheticClip.generate(64, 48, 1, 1).get(0));

        assertEquals(YPsnr.IDENTICAL, YPsnr.of(y, y));
        assertEquals(1.0, Ssim.of(y, y), 1e-12);
    }

    @Test
    void anErrorOfOneLevelOnEveryPixelIs48Point13Decibels() {
        Luma a = new Luma(16, 16, fill(256, 100));
        Luma b = new Luma(16, 16, fill(256, 101));

        assertEquals(10 * Math.log10(255.0 * 255.0), YPsnr.of(a, b), 1e-9);
        assertEquals(48.1308, YPsnr.of(a, b), 1e-4);
    }

    @Test
    void ssimFallsAsNoiseGrowsAndIgnoresAUniformShiftMoreThanPsnrDoes() {
        Luma clean = Luma.of(SyntheticClip.generate(96, 64, 1, 7).get(0));
        double previous = 1;
        for (int sigma : List.of(2, 8, 32)) {
            double s = Ssim.of(noisy(clean, sigma), clean);
            assertTrue(s < previous, "SSIM at noise " + sigma + " is " + s + ", not below " + previous);
            previous = s;
        }
        assertTrue(Ssim.of(shifted(clean, 4), clean) > 0.98, "a brightness offset keeps structure");
    }

    private static Luma noisy(Luma src, int sigma) {
        SplittableRandom r = new SplittableRandom(sigma);
        byte[] y = src.y().clone();
        for (int i = 0; i < y.length; i++) {
            y[i] = (byte) Math.max(0, Math.min(255, (y[i] & 0xff) + (int) Math.round(r.nextGaussian() * sigma)));
        }
        return new Luma(src.width(), src.height(), y);
    }

    private static Luma shifted(Luma src, int by) {
        byte[] y = src.y().clone();
        for (int i = 0; i < y.length; i++) {
            y[i] = (byte) Math.min(255, (y[i] & 0xff) + by);
        }
        return new Luma(src.width(), src.height(), y);
    }

    private static byte[] fill(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    static Image filled(int w, int h, int r, int g, int b) {
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            rgb[3 * i] = (byte) r;
            rgb[3 * i + 1] = (byte) g;
            rgb[3 * i + 2] = (byte) b;
        }
        return new Image(w, h, rgb);
    }
}
