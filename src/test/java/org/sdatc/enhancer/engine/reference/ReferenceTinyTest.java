package org.sdatc.enhancer.engine.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sdatc.enhancer.engine.reference.TestModels.maxAbsDiff;
import static org.sdatc.enhancer.engine.reference.TestModels.uniform;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.onnx.StageSession;
import org.sdatc.enhancer.tensor.Bicubic;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;

/** reference-tiny on real ONNX Runtime CPU sessions: each stage is exact at init. */
class ReferenceTinyTest {
    private static OnnxSessions sessions;

    @BeforeAll
    static void open() {
        sessions = OnnxSessions.open(ModelDirectory.load(TestModels.tiny()), ExecutionConfig.cpu(2));
    }

    @AfterAll
    static void close() {
        sessions.close();
    }

    private static Tensor dcm(Image lq) {
        Tensor in = lq.toTensor().reshape(1, 3, lq.height(), lq.width());
        return sessions.stage(ModelStage.DCM)
                .run(StageSession.inputs().put("lq", in))
                .get("restored");
    }

    private static void assertBicubic(Image lq) {
        Tensor restored = dcm(lq);
        assertArrayEquals(new int[] {1, 3, lq.height() * 4, lq.width() * 4}, restored.shape());
        Image expected = Bicubic.upscale(lq, 4);
        Image actual = Image.fromTensor(restored);
        int worst = 0;
        for (int i = 0; i < expected.rgb().length; i++) {
            worst = Math.max(worst, Math.abs((expected.rgb()[i] & 0xff) - (actual.rgb()[i] & 0xff)));
        }
        assertTrue(worst <= 1, "DCM differs from bicubic by " + worst + "/255");
    }

    @Test
    void dcmReturnsTheBicubicUpscaleOfARealVid4Frame() throws IOException {
        BufferedImage frame =
                ImageIO.read(Path.of("/work/shared/data/vid4/calendar/001.png").toFile());
        // A 256x192 crop averaged 4x4 down to a 64x48 low-resolution frame.
        int w = 64;
        int h = 48;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] sum = new int[3];
                for (int dy = 0; dy < 4; dy++) {
                    for (int dx = 0; dx < 4; dx++) {
                        int p = frame.getRGB(100 + x * 4 + dx, 80 + y * 4 + dy);
                        sum[0] += (p >> 16) & 0xff;
                        sum[1] += (p >> 8) & 0xff;
                        sum[2] += p & 0xff;
                    }
                }
                for (int c = 0; c < 3; c++) {
                    rgb[(y * w + x) * 3 + c] = (byte) Math.round(sum[c] / 16f);
                }
            }
        }
        assertBicubic(new Image(w, h, rgb));
    }

    @Test
    void dcmReturnsBicubicOnRandomImagesWhoseSizeIsNoMultipleOfTheSwinWindow() {
        byte[] rgb = new byte[37 * 29 * 3];
        new java.util.Random(7).nextBytes(rgb);
        assertBicubic(new Image(37, 29, rgb));
    }

    @Test
    void vaeDecoderInvertsTheEncoderOnAFiveFrameWindowForAnyCfwWeight() {
        ModelManifest m = sessions.manifest();
        Tensor x = uniform(3, -1f, 1f, 5, 3, 64, 48);
        Map<String, Tensor> enc =
                sessions.stage(ModelStage.VAE_ENCODER).run(StageSession.inputs().put("image", x));
        Tensor latent = enc.get("latent");
        assertArrayEquals(new int[] {5, m.latentChannels(), 8, 6}, latent.shape());
        assertEquals(5, enc.get("enc_features").dim(0));
        for (float w : new float[] {0.75f, 0f}) {
            Tensor y = sessions.stage(ModelStage.VAE_DECODER)
                    .run(StageSession.inputs()
                            .put("latent", latent)
                            .put("enc_features", enc.get("enc_features"))
                            .put("cfw_weight", new Tensor(new float[] {w}, 1)))
                    .get("image");
            assertTrue(maxAbsDiff(x, y) < 1e-4, "decode(encode(x)) differs by " + maxAbsDiff(x, y) + " at w=" + w);
        }
    }

    @Test
    void unetPredictsTheNoiseThatLeadsBackToTheCondition() {
        ModelManifest m = sessions.manifest();
        int c = m.latentChannels();
        Tensor z = uniform(11, -2f, 2f, 2, c, 8, 12);
        Tensor cond = uniform(12, -1f, 1f, 2, c, 8, 12);
        long[] t = {999, 250};
        Tensor out = sessions.stage(ModelStage.UNET)
                .run(StageSession.inputs()
                        .put("sample", z)
                        .putInt64("timestep", t)
                        .put("condition", cond))
                .get("model_output");
        double[] abar = m.scheduler().alphasCumprod();
        Tensor expected = Tensor.zeros(2, c, 8, 12);
        int per = c * 8 * 12;
        for (int n = 0; n < 2; n++) {
            double a = abar[(int) t[n]];
            for (int i = 0; i < per; i++) {
                int j = n * per + i;
                expected.data()[j] = (float) ((z.data()[j] - Math.sqrt(a) * cond.data()[j]) / Math.sqrt(1 - a));
            }
        }
        assertTrue(
                maxAbsDiff(expected, out) < 1e-4, "UNet differs from the analytic eps by " + maxAbsDiff(expected, out));
    }
}
