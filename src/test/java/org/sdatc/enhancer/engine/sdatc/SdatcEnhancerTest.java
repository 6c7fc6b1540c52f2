package org.sdatc.enhancer.engine.sdatc;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.engine.WindowId;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.engine.flow.FlowGuidance;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.onnx.ModelContractException;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.reference.ReferenceModels;
import org.sdatc.enhancer.engine.reference.ReferenceProfile;
import org.sdatc.enhancer.engine.reference.TestModels;
import org.sdatc.enhancer.engine.sdatc.SdatcOptions.ColorFixKind;
import org.sdatc.enhancer.engine.sdatc.SdatcOptions.FlowSourceKind;
import org.sdatc.enhancer.engine.sdatc.SdatcOptions.SamplerKind;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.window.SegmentEnhancer;
import org.sdatc.enhancer.window.WindowPlanner;
import org.sdatc.enhancer.window.WindowSpan;

/**
 * The SDATC engine on real ONNX Runtime sessions of reference-tiny (CPU). reference-tiny is built
 * so that the whole chain returns bicubic x4: the DCM's residual branch, the UNet's learned part,
 * and PCAM/STAM/CFW are zero-initialised, and the analytic noise prediction makes every
 * deterministic sampler return the condition latents. So bicubic is the exact expected output,
 * and any wiring error (wrong range, wrong scaling factor, padding, frame order) shows up as a
 * large difference. The tolerances only cover float32 rounding through ~40 graph ops and the
 * sampler, quantised to 8 bits: at most 2/255 per sample, mean at most 0.5/255.
 */
class SdatcEnhancerTest {
    private static final BicubicEnhancer BICUBIC = new BicubicEnhancer(4);
    private static final SdatcOptions PLAIN = SdatcOptions.defaults()
            .withExecution(ExecutionConfig.cpu(2))
            .withFlow(FlowSourceKind.NONE, FlowGuidance.Config.defaults())
            .withColorFix(ColorFixKind.NONE);

    private static OnnxSessions tiny;

    @BeforeAll
    static void open() {
        tiny = OnnxSessions.open(ModelDirectory.load(TestModels.tiny()), ExecutionConfig.cpu(2));
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    /** A clip translating right by {@code dx} low-resolution pixels per frame (known motion). */
    private static List<Image> translating(int width, int height, int frames, int dx) {
        Image big =
                SyntheticClip.generate(width + dx * frames + 8, height, 1, 7).get(0);
        List<Image> out = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            int x0 = dx * (frames - f); // content moves right: the crop window moves left
            byte[] rgb = new byte[width * height * 3];
            for (int y = 0; y < height; y++) {
                System.arraycopy(big.rgb(), (y * big.width() + x0) * 3, rgb, y * width * 3, width * 3);
            }
            out.add(new Image(width, height, rgb));
        }
        return out;
    }

    private static WindowInput window(List<Image> frames, int emitStart, int emitCount, byte[] carry, int w) {
        return new WindowInput(new WindowId("cam-1", 7, w), frames, emitStart, emitCount, carry, CompressionHints.NONE);
    }

    private record Diff(int max, double mean) {}

    private static Diff diff(List<Image> a, List<Image> b) {
        assertEquals(a.size(), b.size());
        int max = 0;
        long sum = 0;
        long n = 0;
        for (int i = 0; i < a.size(); i++) {
            byte[] x = a.get(i).rgb();
            byte[] y = b.get(i).rgb();
            assertEquals(x.length, y.length, "frame sizes differ");
            for (int k = 0; k < x.length; k++) {
                int d = Math.abs((x[k] & 0xff) - (y[k] & 0xff));
                max = Math.max(max, d);
                sum += d;
                n++;
            }
        }
        return new Diff(max, (double) sum / n);
    }

    private static void assertBicubic(Diff d, String what) {
        assertTrue(d.max() <= 2 && d.mean() <= 0.5, what + ": " + d + " (in 1/255 units) against bicubic");
    }

    @Test
    void shouldReturnBicubicForReferenceTinyWithDdimAndDpmAtOneFourAndTwentySteps() {
        List<Image> frames = SyntheticClip.generate(32, 24, 5, 3);
        WindowInput in = window(frames, 1, 3, null, 0);
        List<Image> expected = BICUBIC.enhance(in).frames();
        for (SamplerKind kind : SamplerKind.values()) {
            for (int steps : new int[] {1, 4, 20}) {
                SdatcEnhancer e =
                        SdatcEngine.over(tiny, PLAIN.withSampler(kind, 0).withSteps(steps));
                WindowOutput out = e.enhance(in);
                assertEquals(3, out.frames().size());
                assertEquals(128, out.frames().get(0).width());
                assertEquals(96, out.frames().get(0).height());
                assertBicubic(diff(out.frames(), expected), kind + " " + steps + " steps");
            }
        }
    }

    @Test
    void shouldKeepBicubicColoursWithAdainBecauseBicubicAlreadyMatchesTheLowQualityStatistics() {
        // AdaIN rescales each channel to the LQ frame's mean/std; bicubic keeps the mean and
        // smooths slightly (std a little lower), so AdaIN stretches values by a few levels at
        // most (measured: max 4/255, mean 0.19/255 on this clip).
        List<Image> frames = SyntheticClip.generate(32, 24, 5, 3);
        WindowInput in = window(frames, 0, 5, null, 0);
        SdatcEnhancer e = SdatcEngine.over(tiny, PLAIN.withColorFix(ColorFixKind.ADAIN));
        Diff d = diff(e.enhance(in).frames(), BICUBIC.enhance(in).frames());
        assertTrue(d.max() <= 6 && d.mean() <= 0.5, "AdaIN moved bicubic by " + d);
    }

    @Test
    void shouldStayNearBicubicWithTheDefaultFlowGuidanceAndRecordEveryStage() {
        List<Image> frames = translating(48, 32, 5, 1);
        WindowInput in = window(frames, 0, 5, null, 0);
        SdatcEnhancer e = SdatcEngine.over(tiny, SdatcOptions.defaults().withExecution(ExecutionConfig.cpu(2)));
        WindowOutput out = e.enhance(in);
        Diff d = diff(out.frames(), BICUBIC.enhance(in).frames());
        // Eq. 14's last correction survives in the final latents (sigma^2 of the last timestep is
        // ~0.6), so guidance changes pixels a little even for a model that returns bicubic
        // (measured: mean 2.3/255, max 31/255 on this clip).
        assertTrue(d.mean() <= 3.0, "default options moved bicubic by " + d);
        assertTrue(
                out.timings()
                        .asMap()
                        .keySet()
                        .containsAll(Set.of(
                                Stage.DCM,
                                Stage.VAE_ENCODE,
                                Stage.FLOW,
                                Stage.DENOISE_STEP,
                                Stage.SAMPLER,
                                Stage.VAE_DECODE,
                                Stage.COLOR_FIX)),
                "stages recorded: " + out.timings().asMap().keySet());
        assertNotNull(out.carry(), "with flow guidance the window carries its last latents");
    }

    @Test
    void shouldGiveIdenticalBytesOnTwoRuns() {
        List<Image> frames = translating(48, 32, 5, 1);
        SdatcEnhancer e = SdatcEngine.over(tiny, SdatcOptions.defaults().withExecution(ExecutionConfig.cpu(2)));
        WindowOutput a = e.enhance(window(frames, 0, 5, null, 0));
        WindowOutput b = e.enhance(window(frames, 0, 5, null, 0));
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(a.frames().get(i).rgb(), b.frames().get(i).rgb(), "frame " + i);
        }
        assertArrayEquals(a.carry(), b.carry());
    }

    @Test
    void shouldNotLetTheWindowSeedIntoTheDeterministicPathOfReferenceTiny() {
        List<Image> frames = SyntheticClip.generate(32, 24, 5, 3);
        SdatcEnhancer e = SdatcEngine.over(tiny, PLAIN);
        Diff d = diff(
                e.enhance(window(frames, 0, 5, null, 0)).frames(),
                e.enhance(window(frames, 0, 5, null, 9)).frames());
        assertTrue(d.max() <= 1, "window id changed a deterministic reference-tiny run: " + d);
    }

    @Test
    void shouldDrawDifferentNoisePerWindowWhenEtaIsPositive() {
        // A UNet with random output weights, so the injected noise reaches the output.
        Path dir = ReferenceModels.ensure(
                ReferenceProfile.tiny().withPerturbed(Set.of("unet.conv_out")), TestModels.CACHE);
        try (OnnxSessions perturbed = OnnxSessions.open(ModelDirectory.load(dir), ExecutionConfig.cpu(2))) {
            SdatcEnhancer e = SdatcEngine.over(perturbed, PLAIN.withSampler(SamplerKind.DDIM, 1.0));
            List<Image> frames = SyntheticClip.generate(32, 24, 5, 3);
            List<Image> a = e.enhance(window(frames, 0, 5, null, 0)).frames();
            List<Image> again = e.enhance(window(frames, 0, 5, null, 0)).frames();
            List<Image> other = e.enhance(window(frames, 0, 5, null, 1)).frames();
            assertEquals(0, diff(a, again).max(), "same window id, same noise, same bytes");
            assertTrue(diff(a, other).mean() > 0.5, "another window id must draw other noise: " + diff(a, other));
        }
    }

    @Test
    void shouldPullTheNextWindowsFirstFrameTowardsTheCarriedLatents() {
        // Windows of 5 with context 2, as WindowPlanner cuts them: [f0..f4] then [f3..f7].
        List<Image> clip = translating(48, 32, 8, 1);
        SdatcEnhancer e = SdatcEngine.over(tiny, SdatcOptions.defaults().withExecution(ExecutionConfig.cpu(2)));
        byte[] carry = e.enhance(window(clip.subList(0, 5), 0, 5, null, 0)).carry();
        List<Image> second = clip.subList(3, 8);
        SdatcEnhancer.Run with = e.run(window(second, 2, 3, carry, 1));
        SdatcEnhancer.Run without = e.run(window(second, 2, 3, null, 1));
        double errWith = e.boundaryWarpError(carry, second, with.latents().get(0));
        double errWithout = e.boundaryWarpError(carry, second, without.latents().get(0));
        assertTrue(errWith < 0.9 * errWithout, "boundary error with carry " + errWith + ", without " + errWithout);
    }

    @Test
    void shouldStitchAcrossASegmentBoundaryThroughSegmentEnhancer() {
        List<Image> clip = translating(48, 32, 10, 1);
        SdatcEnhancer e = SdatcEngine.over(tiny, SdatcOptions.defaults().withExecution(ExecutionConfig.cpu(2)));
        WindowPlanner planner = new WindowPlanner(5, 2);
        SegmentEnhancer.Result first = new SegmentEnhancer(planner, e)
                .enhance("cam-1", 1, clip.subList(0, 5), SegmentEnhancer.Continuity.EMPTY, CompressionHints.NONE);
        byte[] carry = first.next().carry();
        assertNotNull(carry);
        // The second segment's first window, exactly as SegmentEnhancer would build it.
        WindowSpan span = planner.plan(first.next().tail().size(), 5).get(0);
        List<Image> sequence = new ArrayList<>(first.next().tail());
        sequence.addAll(clip.subList(5, 10));
        List<Image> frames = new ArrayList<>();
        for (int i : span.frames()) {
            frames.add(sequence.get(i));
        }
        WindowInput base = new WindowInput(
                new WindowId("cam-1", 2, 0), frames, span.emitStart(), span.emitCount(), carry, CompressionHints.NONE);
        SdatcEnhancer.Run with = e.run(base);
        SdatcEnhancer.Run without = e.run(
                new WindowInput(base.id(), frames, span.emitStart(), span.emitCount(), null, CompressionHints.NONE));
        double errWith = e.boundaryWarpError(carry, frames, with.latents().get(0));
        double errWithout = e.boundaryWarpError(carry, frames, without.latents().get(0));
        assertTrue(errWith < 0.9 * errWithout, "segment seam error with carry " + errWith + ", without " + errWithout);
    }

    @Test
    void shouldMatchTheUntiledOutputWhenLargeFramesAreTiled() {
        List<Image> frames = SyntheticClip.generate(72, 40, 5, 5);
        WindowInput in = window(frames, 0, 5, null, 0);
        SdatcEnhancer whole = SdatcEngine.over(tiny, PLAIN);
        SdatcEnhancer tiled = SdatcEngine.over(tiny, PLAIN.withTiles(128, 32));
        SdatcEnhancer.Run t = tiled.run(in);
        assertEquals(6, t.tiles().size(), "288x160 output in tiles of 128 with overlap 32: 3 x 2 tiles");
        Diff d = diff(t.frames(), whole.enhance(in).frames());
        assertBicubic(d, "tiled vs untiled");
    }

    @Test
    void shouldOpenReferenceTinyFromTheFactoryWhenNoModelDirectoryIsGiven(@TempDir Path cache) {
        try (Enhancer e = SdatcEngine.open(null, PLAIN.withSteps(2).withModelCache(cache.resolve("models")))) {
            assertAll(
                    () -> assertTrue(
                            e.info().model().startsWith("sdatc/reference-tiny@"),
                            e.info().model()),
                    () -> assertEquals(2, e.info().steps()),
                    () -> assertEquals("cpu", e.info().provider()),
                    () -> assertEquals(4, e.info().scale()));
            List<Image> frames = SyntheticClip.generate(32, 24, 5, 3);
            assertEquals(5, e.enhance(window(frames, 0, 5, null, 0)).frames().size());
        }
    }

    @Test
    void shouldFailAtLoadWithTheContractMessageForABrokenModelDirectory(@TempDir Path dir) throws IOException {
        Path src = TestModels.tiny();
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Files.delete(dir.resolve("unet.onnx"));
        ModelContractException ex = assertThrows(ModelContractException.class, () -> SdatcEngine.open(dir, PLAIN));
        assertTrue(
                ex.getMessage().contains("unet.onnx") && ex.getMessage().contains("does not exist"), ex.getMessage());
    }

    @Test
    void shouldEnhanceOddAndTinyFrameSizesOrRefuseThemAsBadInput() {
        SdatcEnhancer e = SdatcEngine.over(tiny, SdatcOptions.defaults().withExecution(ExecutionConfig.cpu(2)));
        int enhanced = 0;
        int refused = 0;
        for (int[] size : new int[][] {{13, 7}, {2, 2}, {1, 1}, {33, 9}, {17, 16}, {23, 19}}) {
            List<Image> frames = translating(size[0], size[1], 5, 1);
            try {
                WindowOutput out = e.enhance(window(frames, 0, 5, null, 0));
                assertEquals(5, out.frames().size());
                assertEquals(4 * size[0], out.frames().get(0).width(), size[0] + "x" + size[1]);
                assertEquals(4 * size[1], out.frames().get(0).height(), size[0] + "x" + size[1]);
                enhanced++;
            } catch (org.sdatc.enhancer.engine.EnhancerException e2) {
                // A clear refusal naming the stream: the stream layer dead-letters the segment and goes on.
                assertTrue(e2.getMessage().contains("cam-1") && e2.getMessage().contains("minimum"), e2.getMessage());
                refused++;
            }
        }
        assertEquals(2, enhanced, "odd sizes from 16 up are enhanced");
        assertEquals(4, refused, "smaller frames are refused as bad input, not a crash");
    }

    @Test
    void shouldIgnoreACarryThatIsNotAnSdatcCarry() {
        List<Image> frames = SyntheticClip.generate(32, 24, 5, 3);
        SdatcEnhancer e = SdatcEngine.over(tiny, SdatcOptions.defaults().withExecution(ExecutionConfig.cpu(2)));
        WindowOutput junk = e.enhance(window(frames, 0, 5, new byte[] {1, 2, 3, 4, 5}, 0));
        WindowOutput none = e.enhance(window(frames, 0, 5, null, 0));
        assertEquals(0, diff(junk.frames(), none.frames()).max());
        assertFalse(junk.frames().isEmpty());
    }

    @Test
    void shouldGiveTheSameFramesWhenTwoStreamsShareOneEngineConcurrently() throws Exception {
        SdatcEnhancer e = SdatcEngine.over(tiny, SdatcOptions.defaults().withExecution(ExecutionConfig.cpu(1)));
        List<Image> a = translating(48, 32, 5, 1);
        List<Image> b = SyntheticClip.generate(48, 32, 5, 11);
        List<Image> aAlone = e.enhance(window(a, 0, 5, null, 0)).frames();
        List<Image> bAlone = e.enhance(window(b, 0, 5, null, 0)).frames();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var fa = pool.submit(() -> e.enhance(window(a, 0, 5, null, 0)).frames());
            var fb = pool.submit(() -> e.enhance(window(b, 0, 5, null, 0)).frames());
            assertEquals(0, diff(fa.get(), aAlone).max(), "stream a changed when run next to b");
            assertEquals(0, diff(fb.get(), bAlone).max(), "stream b changed when run next to a");
        }
    }

    @Test
    void shouldDropACarryLargerThanTheConfiguredLimitInsteadOfOverflowingTheStateStore() {
        List<Image> frames = translating(48, 32, 5, 1);
        SdatcOptions options = SdatcOptions.defaults().withExecution(ExecutionConfig.cpu(2));
        byte[] fits = SdatcEngine.over(tiny, options)
                .enhance(window(frames, 0, 5, null, 0))
                .carry();
        assertNotNull(fits);
        WindowOutput tooBig = SdatcEngine.over(tiny, options.withCarryMaxBytes(fits.length - 1))
                .enhance(window(frames, 0, 5, null, 0));
        assertEquals(null, tooBig.carry(), "a carry of " + fits.length + " bytes must not pass a smaller limit");
        assertEquals(5, tooBig.frames().size());
    }
}
