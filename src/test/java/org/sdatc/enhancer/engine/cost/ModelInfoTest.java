package org.sdatc.enhancer.engine.cost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
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
    /** What training/smoke.sh exports: the tiny size, every stage, trained for a few iterations. */
    private static final Path EXPORTED = Path.of("src", "test", "resources", "models", "sdatc-tiny-smoke");

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

    @Test
    void anExportedDirectoryCountsEveryStageWithPyTorchsParametersAndItsConvsAndMatMuls() throws IOException {
        ModelInfo info = ModelInfo.of(EXPORTED, 64, 48, 4);
        JsonNode exported = new ObjectMapper()
                .readTree(EXPORTED.resolve("manifest.json").toFile())
                .path("export");
        ToLongFunction<ModelStage> pytorch =
                s -> exported.path(s.key()).path("parameters").asLong();
        ToLongFunction<ModelStage> counted = s -> info.row(s).perCall().parameters();
        assertEquals(pytorch.applyAsLong(ModelStage.VAE_ENCODER), counted.applyAsLong(ModelStage.VAE_ENCODER));
        assertEquals(pytorch.applyAsLong(ModelStage.UNET), counted.applyAsLong(ModelStage.UNET));
        // The graphs also hold what torch.onnx.export folded out of parameters as tensors of their
        // own: the DCM's relative-position bias gathered for every pair of a 4x4 window (2 heads x
        // (16 x 16 - 7 x 7) per block, 2 blocks), the STAM's 1 - alpha and 1 - beta (2 x (8 + 16 +
        // 16 + 16) channels).
        assertEquals(
                pytorch.applyAsLong(ModelStage.DCM) + 2 * 2 * (16 * 16 - 7 * 7), counted.applyAsLong(ModelStage.DCM));
        assertEquals(
                pytorch.applyAsLong(ModelStage.VAE_DECODER) + 2 * (8 + 16 + 16 + 16),
                counted.applyAsLong(ModelStage.VAE_DECODER));
        // The DCM by hand at 48x64 (a multiple of the window: no padding): the 3x3 convs conv_first
        // 3->16, the group's and conv_after_body 16->16 and the upsampler 16->48, the bicubic skip
        // (48 output channels of 5x5 taps on one input channel each), and per Swin block qkv, proj
        // and the MLP (16->32->16); attention Q K^T and A V over 16-token windows, 16 channels.
        long hw = 48 * 64;
        long convs = 2 * hw * (16 * 3 * 9 + 2 * 16 * 16 * 9 + 48 * 16 * 9 + 48 * 25);
        long blocks = 2 * (2 * hw * (16 * 48 + 16 * 16 + 16 * 32 + 32 * 16));
        StageCost dcm = info.row(ModelStage.DCM).perCall();
        assertEquals(convs + blocks, dcm.linearFlops());
        assertEquals(2 * (2 * 2 * hw * 16 * 16), dcm.attentionFlops());
        // torch.profiler(with_flops=True) on the PyTorch UNet (UNet + ControlNet) at this size:
        // conv2d + addmm + mm + bmm = 216,451,248 FLOPs (its bmm includes the proj_in of the six
        // transformers, which read a transposed view; here they are conv+linear).
        StageCost unet = info.row(ModelStage.UNET).perCall();
        assertEquals(216_451_248L, unet.linearFlops() + unet.attentionFlops());
        String table = info.render(ModelInfo.H200_BF16_TFLOPS, ModelInfo.DEFAULT_UTILIZATION, 30);
        for (String row : List.of("| dcm | 1 |", "| vae_encoder | 1 |", "| unet | 4 |", "| vae_decoder | 1/3 |")) {
            assertTrue(table.contains(row), table);
        }
    }
}
