package org.sdatc.enhancer.engine.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.tensor.Image;

class DisFlowSourceTest {
    static final File CALENDAR = new File("/work/shared/data/vid4/calendar/001.png");

    /** A w x h crop of a real frame at offset (ox, oy). */
    static Image crop(BufferedImage src, int ox, int oy, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = src.getRGB(ox + x, oy + y);
                int i = (y * w + x) * 3;
                rgb[i] = (byte) (p >> 16);
                rgb[i + 1] = (byte) (p >> 8);
                rgb[i + 2] = (byte) p;
            }
        }
        return new Image(w, h, rgb);
    }

    private static double median(float[] values) {
        float[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    @Test
    void shouldRecoverAKnownTranslationOfARealVid4FrameWithinHalfAPixel() throws IOException {
        BufferedImage frame = ImageIO.read(CALENDAR);
        // a(x) = I(x + (20, 30)), b(x) = I(x + (14, 34)): a(x) = b(x + (6, -4)).
        Image a = crop(frame, 20, 30, 480, 270);
        Image b = crop(frame, 14, 34, 480, 270);
        List<FlowPair> pairs = new DisFlowSource().flows(List.of(a, b));
        assertEquals(1, pairs.size());
        FlowPair p = pairs.get(0);
        int h = 270;
        int w = 480;
        // Interior pixels only: near the border the displaced content is not in the other crop.
        int n = 0;
        float[] ex = new float[(h - 40) * (w - 40) * 2];
        for (int y = 20; y < h - 20; y++) {
            for (int x = 20; x < w - 20; x++) {
                ex[n++] = Math.abs(p.forward().dx(x, y) - 6)
                        + Math.abs(p.forward().dy(x, y) + 4);
                ex[n++] = Math.abs(p.backward().dx(x, y) + 6)
                        + Math.abs(p.backward().dy(x, y) - 4);
            }
        }
        double med = median(Arrays.copyOf(ex, n));
        assertTrue(med < 0.5, "median end-point error (L1) " + med + " px");
    }
}
