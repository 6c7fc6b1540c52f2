package org.sdatc.enhancer.engine.sdatc;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.WindowId;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.flow.FlowGuidance;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.onnx.ModelContractException;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.onnx.ParityCheck;
import org.sdatc.enhancer.engine.reference.TestModels;
import org.sdatc.enhancer.engine.sdatc.SdatcOptions.ColorFixKind;
import org.sdatc.enhancer.engine.sdatc.SdatcOptions.FlowSourceKind;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * A model directory exported by the training side (contract 2 with diffusion stages) through the
 * engine's full tier. The directory in src/test/resources/models/sdatc-tiny-smoke is what
 * training/smoke.sh exports: the `tiny` size after 4 iterations per stage, trained in name only;
 * it is a wiring and parity fixture, not a model that improves anything. Its parity/window/ fixtures
 * come from the training side's PyTorch reference loop (training/sdatc_training/reference_loop.py).
 */
class ExportedModelTest {
    static final Path MODEL = Path.of("src", "test", "resources", "models", "sdatc-tiny-smoke");

    private static OnnxSessions sessions;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        sessions = OnnxSessions.open(ModelDirectory.load(MODEL), ExecutionConfig.cpu(2));
    }

    @AfterAll
    static void close() {
        sessions.close();
    }

    private static final SdatcOptions PLAIN = SdatcOptions.defaults()
            .withSteps(2)
            .withExecution(ExecutionConfig.cpu(2))
            .withFlow(FlowSourceKind.NONE, FlowGuidance.Config.defaults())
            .withColorFix(ColorFixKind.NONE);

    private static WindowInput window(CompressionHints hints) {
        int t = sessions.manifest().windowLength();
        List<Image> frames = SyntheticClip.generate(36, 20, t, 3);
        return new WindowInput(new WindowId("exported", 0, 0), frames, 0, t, null, hints);
    }

    private static CompressionHints crf(int crf) {
        return new CompressionHints(OptionalInt.of(crf), OptionalInt.empty(), OptionalLong.empty());
    }

    @Test
    void theManifestsRecipeFeaturesAndHintAreRead() {
        ModelManifest m = sessions.manifest();
        assertAll(
                () -> assertEquals(2, m.contract()),
                () -> assertTrue(m.hasDiffusion()),
                () -> assertEquals(List.of("enc_features_0", "enc_features_1"), m.encFeatures()),
                () -> assertTrue(m.hintInput()),
                () -> assertEquals(ModelManifest.Spacing.LEADING, m.spacing()),
                () -> assertEquals(999, m.recipe().startTimestep()),
                () -> assertEquals(1.0, m.startStrength(), 1e-12),
                () -> assertEquals(
                        ModelManifest.BetaSchedule.SCALED_LINEAR, m.scheduler().betaSchedule()));
    }

    @Test
    void theFullTierEnhancesEveryFrameAtFourTimesTheSize() {
        try (SdatcEnhancer engine = new SdatcEnhancer(sessions, false, PLAIN)) {
            var out = engine.enhance(window(crf(25)));
            assertEquals(sessions.manifest().windowLength(), out.frames().size());
            for (Image f : out.frames()) {
                assertEquals(144, f.width());
                assertEquals(80, f.height());
            }
        }
    }

    @Test
    void theSegmentsCrfReachesTheModel() {
        try (SdatcEnhancer engine = new SdatcEnhancer(sessions, false, PLAIN)) {
            // The first frame before the colour fix, in [0, 1]: the UNet and the decoder both read the hint.
            Tensor known = engine.run(window(crf(35)), true).window().get(0);
            Tensor unknown =
                    engine.run(window(CompressionHints.NONE), true).window().get(0);
            Tensor again = engine.run(window(crf(35)), true).window().get(0);
            assertEquals(0, TestModels.maxAbsDiff(known, again), "same hint, same output");
            float diff = TestModels.maxAbsDiff(known, unknown);
            assertTrue(diff > 1e-3, "PCAM's hint changed the output by only " + diff);
        }
    }

    @Test
    void oneWindowThroughTheEngineMatchesThePyTorchReferenceLoopWithGuidanceOffAndOn() {
        List<ParityCheck.Result> results = WindowParity.run(sessions, MODEL);
        assertEquals(
                List.of("window/guidance-off", "window/guidance-off", "window/guidance-on", "window/guidance-on"),
                results.stream().map(ParityCheck.Result::fixture).toList());
        for (ParityCheck.Result r : results) {
            assertTrue(r.passed(), r.fixture() + "." + r.output() + ": max abs error " + r.maxAbsError());
        }
    }

    @Test
    void guidanceChangesTheEnginesWindowAsMuchAsTheReferenceLoopSays() {
        Path folder = MODEL.resolve(WindowParity.FOLDER);
        var on = WindowParity.read(folder.resolve("guidance-on.json"));
        var off = WindowParity.read(folder.resolve("guidance-off.json"));
        try (SdatcEnhancer guided = new SdatcEnhancer(sessions, false, on.options(), on.flows());
                SdatcEnhancer plain = new SdatcEnhancer(sessions, false, off.options(), off.flows())) {
            Tensor a = guided.run(on.input(), true).latents().get(0);
            Tensor b = plain.run(off.input(), true).latents().get(0);
            float moved = TestModels.maxAbsDiff(a, b);
            // The fixture's own number (reference.guidance_effect.latents_max_abs) is 0.272.
            assertTrue(moved > 0.2 && moved < 0.35, "guidance moved the latents by " + moved);
        }
    }

    @Test
    void aFixtureThatDisagreesWithTheEngineFails() throws IOException {
        Path dir = copy();
        Path image = dir.resolve(WindowParity.FOLDER).resolve("guidance-off.image.f32");
        byte[] b = Files.readAllBytes(image);
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(0, 0.5f + 0.01f * b[0]);
        Files.write(image, b);
        ParityCheck.Result r = WindowParity.run(sessions, dir).get(1);
        assertEquals("image", r.output());
        assertTrue(!r.passed() && r.maxAbsError() > 1e-3, "error " + r.maxAbsError());
    }

    private Path copy() throws IOException {
        Path dst = tmp.resolve("model");
        TestModels.copyTree(MODEL, dst);
        return dst;
    }

    private String loadFailure(Path dir, String from, String to) throws IOException {
        Path m = dir.resolve(ModelManifest.FILE_NAME);
        String text = Files.readString(m);
        assertTrue(text.contains(from), "the manifest holds " + from);
        Files.writeString(m, text.replace(from, to));
        return assertThrows(ModelContractException.class, () -> ModelDirectory.load(dir))
                .getMessage();
    }

    @Test
    void aRecipeWithoutItsSpacingNamesTheKey() throws IOException {
        String msg = loadFailure(copy(), "\"timestep_spacing\": \"leading\",", "");
        assertTrue(msg.contains("recipe.timestep_spacing") && msg.contains("missing"), msg);
    }

    @Test
    void anEncoderFeatureTheGraphLacksNamesTheTensorAndTheGraphsOutputs() throws IOException {
        String msg = loadFailure(copy(), "\"name\": \"enc_features_1\"", "\"name\": \"enc_features_x\"");
        assertTrue(
                msg.contains("vae_encoder.onnx")
                        && msg.contains("\"enc_features_x\"")
                        && msg.contains("enc_features_1"),
                msg);
    }

    @Test
    void aGraphThatTakesAHintTheManifestDoesNotDeclareSaysWhichKeyToSet() throws IOException {
        String msg = loadFailure(copy(), "\"hint_input\": true", "\"hint_input\": false");
        assertTrue(msg.contains("\"hint\"") && msg.contains("\"hint_input\": true"), msg);
    }
}
