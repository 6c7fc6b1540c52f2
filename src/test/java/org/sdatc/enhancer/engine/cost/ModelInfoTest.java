package org.sdatc.enhancer.engine.cost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.app.ModelCommand;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.onnx.StageSession;
import org.sdatc.enhancer.engine.reference.PaperModels;
import org.sdatc.enhancer.engine.reference.PaperProfile;
import org.sdatc.enhancer.tensor.Tensor;

class ModelInfoTest {
    private static Map<String, Long> components(ModelInfo info) {
        Map<String, Long> all = new HashMap<>();
        info.rows().forEach(r -> r.perCall().parametersByComponent().forEach((k, v) -> all.merge(k, v, Long::sum)));
        return all;
    }

    private static void assertWithin(double expected, double actual, double fraction, String what) {
        assertTrue(
                Math.abs(actual - expected) <= fraction * expected,
                what + ": expected " + expected + " +-" + (fraction * 100) + "%, got " + actual);
    }

    @Test
    void thePaperProfileHasTheParameterCountsOfItsPublishedParts() {
        Map<String, Long> c = components(ModelInfo.of("reference-paper", 64, 64, 1));
        // Stable Diffusion 2.1 UNet 865.9 M; its ControlNet ~361 M; SD VAE 83.7 M; SwinIR-classical x4 11.9 M.
        assertWithin(865.9e6, c.get("unet.base"), 0.02, "UNet");
        assertWithin(361e6, c.get("unet.ctrl"), 0.03, "ControlNet");
        assertWithin(83.65e6, c.get("vae.enc") + c.get("vae.dec"), 0.02, "VAE");
        assertWithin(11.9e6, c.get("dcm.swinir"), 0.05, "DCM");
        // The SDATC additions are small next to the pretrained model.
        long added = c.get("unet.pcam") + c.get("dec.pcam") + c.get("dec.stam") + c.get("dec.cfw");
        assertTrue(added < 0.05 * c.get("unet.base"), "PCAM + STAM + CFW: " + added);
    }

    @Test
    void unetCostGrowsWithStepsAndTheCeilingFollowsFromTheTotal() {
        ModelInfo four = ModelInfo.of("reference-small", 64, 48, 4);
        ModelInfo twenty = ModelInfo.of("reference-small", 64, 48, 20);
        double unetStep = four.row(ModelStage.UNET).perCall().totalFlops();
        assertEquals(16 * unetStep, twenty.flopsPerFrame() - four.flopsPerFrame(), 1e-6 * unetStep);
        assertEquals(989e12 * 0.4 / four.flopsPerFrame(), four.framesPerSecond(ModelInfo.H200_BF16_TFLOPS, 0.4), 1e-9);
        assertTrue(twenty.framesPerSecond(989, 0.4) < four.framesPerSecond(989, 0.4));
        // 256x192 output pads to multiples of f * latent_multiple = 64: 256x192, latent 32x24.
        assertEquals(32, four.latentWidth());
        assertEquals(24, four.latentHeight());
    }

    @Test
    void referenceSmallLoadsThroughTheContractRunsItsDcmOnTheCpuAndCountsAsItsProfile(@TempDir Path cache) {
        Path dir = PaperModels.ensure(PaperProfile.small(), cache);
        try (OnnxSessions s = OnnxSessions.open(ModelDirectory.load(dir), ExecutionConfig.cpu(2))) {
            Tensor lq = Tensor.zeros(1, 3, 20, 28);
            float[] d = lq.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = (i % 97) / 96f;
            }
            Tensor out = s.stage(ModelStage.DCM)
                    .run(StageSession.inputs().put("lq", lq))
                    .get("restored");
            assertArrayEquals(new int[] {1, 3, 80, 112}, out.shape());
            for (float v : out.data()) {
                assertTrue(v >= 0 && v <= 1, "restored value " + v);
            }
        }
        ModelInfo fromDir = ModelInfo.of(dir, 120, 68, 4);
        ModelInfo fromProfile = ModelInfo.of("reference-small", 120, 68, 4);
        assertEquals(fromProfile.parameters(), fromDir.parameters());
        assertEquals(fromProfile.flopsPerFrame(), fromDir.flopsPerFrame());
    }

    @Test
    void modelInfoPrintsTheTableAndRejectsAnUnknownProfileNamingTheChoices() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int ok;
        int bad;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            ok = ModelCommand.run("info", "--profile", "reference-tiny", "--width", "120", "--height", "68");
            bad = ModelCommand.run("info", "--profile", "reference-huge");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = o.toString(StandardCharsets.UTF_8);
        assertEquals(0, ok);
        assertTrue(text.contains("| unet | 4 |") && text.contains("frames/s per accelerator"), text);
        assertEquals(2, bad);
        assertTrue(e.toString(StandardCharsets.UTF_8).contains("reference-paper"), e.toString(StandardCharsets.UTF_8));
    }
}
