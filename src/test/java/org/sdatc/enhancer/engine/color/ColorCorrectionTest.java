package org.sdatc.enhancer.engine.color;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.sampler.GaussianNoise;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Resize;
import org.sdatc.enhancer.tensor.Tensor;
import org.sdatc.enhancer.tensor.Tensors;

class ColorCorrectionTest {
    private static Tensor vid4Frame() throws IOException {
        BufferedImage img = ImageIO.read(new File("/work/shared/data/vid4/calendar/001.png"));
        int w = 256;
        int h = 192;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(200 + x, 150 + y);
                rgb[(y * w + x) * 3] = (byte) (p >> 16);
                rgb[(y * w + x) * 3 + 1] = (byte) (p >> 8);
                rgb[(y * w + x) * 3 + 2] = (byte) p;
            }
        }
        return new Image(w, h, rgb).toTensor();
    }

    /** The "model output": the frame with a colour cast that varies slowly across it, plus fine grain. */
    private static Tensor shifted(Tensor hr, Tensor grain) {
        Tensor out = hr.copy();
        int h = hr.dim(1);
        int w = hr.dim(2);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = (c * h + y) * w + x;
                    double cast = (c == 0 ? 0.12 : -0.06) * (0.5 + (double) x / w);
                    out.data()[i] = (float) (1.1 * hr.data()[i] + cast + 0.05 * grain.data()[i]);
                }
            }
        }
        return out;
    }

    @Test
    void shouldGiveTheOutputTheReferencesChannelMeansAndDeviations() throws IOException {
        Tensor hr = vid4Frame();
        Tensor lq = Resize.bilinear(hr, hr.dim(1) / 4, hr.dim(2) / 4);
        Tensor out = shifted(hr, GaussianNoise.sample(1, hr.shape()));
        Tensor fixed = new AdaIn().apply(out, lq);
        var ref = Tensors.channelStats(lq);
        var got = Tensors.channelStats(fixed);
        var before = Tensors.channelStats(out);
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(before.mean(c) - ref.mean(c)) > 0.01, "the test output must start off-colour");
            assertEquals(ref.mean(c), got.mean(c), 1e-4);
            assertEquals(ref.std(c), got.std(c), 1e-4);
        }
    }

    @Test
    void shouldTakeLowFrequencyColourFromTheReferenceAndKeepTheOutputsDetail() throws IOException {
        Tensor hr = vid4Frame();
        Tensor lq = Resize.bilinear(hr, hr.dim(1) / 4, hr.dim(2) / 4);
        Tensor grain = GaussianNoise.sample(2, hr.shape());
        Tensor out = shifted(hr, grain);
        WaveletColorFix fix = new WaveletColorFix();
        Tensor fixed = fix.apply(out, lq);

        // Colour: the low band of the result against the low band of the upsampled reference.
        Tensor refLow = fix.lowPass(Resize.bilinear(lq, hr.dim(1), hr.dim(2)));
        double colourBefore = Tensors.l1Distance(fix.lowPass(out), refLow);
        double colourAfter = Tensors.l1Distance(fix.lowPass(fixed), refLow);
        assertTrue(
                colourAfter < 0.2 * colourBefore, "low-frequency colour error " + colourBefore + " -> " + colourAfter);

        // Detail: the high band (image minus one blur) of the output survives almost unchanged.
        Tensor highOut = minus(out, org.sdatc.enhancer.tensor.Blur.binomial3x3(out, 1));
        Tensor highFixed = minus(fixed, org.sdatc.enhancer.tensor.Blur.binomial3x3(fixed, 1));
        double energy = Tensors.dot(highOut, highOut);
        double lost = Tensors.dot(minus(highOut, highFixed), minus(highOut, highFixed));
        assertTrue(lost < 0.05 * energy, "fine detail lost: " + lost / energy);

        // AdaIN, being global, cannot remove a cast that varies across the frame as well.
        double adainColour = Tensors.l1Distance(fix.lowPass(new AdaIn().apply(out, lq)), refLow);
        assertTrue(colourAfter < adainColour, "wavelet " + colourAfter + " vs AdaIN " + adainColour);
    }

    private static Tensor minus(Tensor a, Tensor b) {
        Tensor r = a.copy();
        for (int i = 0; i < r.size(); i++) {
            r.data()[i] -= b.data()[i];
        }
        return r;
    }

    @Test
    void adainAsAnAffineMapOnSubPixelPhasesGivesThePixelsOfApplyOnTheShuffledFrame() {
        Tensor lq = GaussianNoise.sample(3, 3, 12, 10);
        // Two frames of a DCM's output before its PixelShuffle(4): [2, 48, 12, 10].
        Tensor phases = GaussianNoise.sample(4, 2, 48, 12, 10);
        float[] d = phases.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = 0.5f + 0.2f * d[i];
        }
        Tensor frames = Tensors.pixelShuffle(phases, 4);
        int size = 3 * 48 * 40;
        float[] second = new float[size];
        System.arraycopy(frames.data(), size, second, 0, size);
        byte[] expected = Image.fromTensor(new AdaIn().apply(new Tensor(second, 3, 48, 40), lq))
                .rgb();
        var map = new AdaIn().affine(d, 48 * 120, 3, 16 * 120, lq);
        byte[] got =
                Image.fromPhases(d, 48 * 120, 10, 12, 4, map.gain(), map.bias()).rgb();
        // The map runs in float: a value within rounding of a half may land one level off.
        int off = 0;
        for (int i = 0; i < got.length; i++) {
            int diff = Math.abs((got[i] & 0xff) - (expected[i] & 0xff));
            assertTrue(diff <= 1, "byte " + i + " differs by " + diff);
            off += diff;
        }
        assertTrue(off <= got.length / 1000, off + " values one level off");
        assertEquals(null, new WaveletColorFix().affine(d, 0, 3, 16 * 120, lq), "wavelet is not affine");
    }
}
