package org.sdatc.enhancer.engine.sdatc;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.WindowId;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.engine.flow.FlowGuidance;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.onnx.ModelContractException;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.reference.ReferenceModels;
import org.sdatc.enhancer.engine.reference.TestModels;
import org.sdatc.enhancer.engine.sdatc.SdatcOptions.FlowSourceKind;
import org.sdatc.enhancer.media.ContainerFormat;
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.DecodedSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentDecoder;
import org.sdatc.enhancer.media.SegmentEncoder;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.media.VideoCodec;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;
import org.sdatc.enhancer.window.SegmentEnhancer;
import org.sdatc.enhancer.window.WindowPlanner;

/**
 * The engine's other flow sources end to end on reference-tiny (CPU): the decoder's motion vectors
 * and the model's flow stage. The bar is the one the DIS default meets in SdatcEnhancerTest: flow
 * guidance moves reference-tiny's bicubic output by at most 3/255 on average.
 */
class SdatcFlowSourcesTest {
    private static final BicubicEnhancer BICUBIC = new BicubicEnhancer(4);
    private static final SdatcOptions DEFAULTS = SdatcOptions.defaults().withExecution(ExecutionConfig.cpu(2));

    private static OnnxSessions tiny;

    @BeforeAll
    static void open() {
        tiny = OnnxSessions.open(ModelDirectory.load(TestModels.tiny()), ExecutionConfig.cpu(2));
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    /** A clip panning by (1, 1) then (-1, 0) pixels per frame, through libx264 and back with motion. */
    private static DecodedSegment decodedPan(int frames) {
        int[][] shifts = new int[frames - 1][];
        for (int i = 0; i < shifts.length; i++) {
            shifts[i] = i < shifts.length / 2 ? new int[] {1, 1} : new int[] {-1, 0};
        }
        List<Image> clip = SyntheticClip.translating(64, 48, 9, shifts);
        Rational fps = new Rational(25, 1);
        long[] pts = new long[frames];
        for (int i = 0; i < frames; i++) {
            pts[i] = i * 3600L;
        }
        byte[] ts = new SegmentEncoder().encode(clip, pts, Rational.MPEGTS_TIME_BASE, fps, EncoderSettings.defaults());
        return new SegmentDecoder(true).decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
    }

    private static double meanDiff(List<Image> a, List<Image> b) {
        long sum = 0;
        long n = 0;
        for (int i = 0; i < a.size(); i++) {
            byte[] x = a.get(i).rgb();
            byte[] y = b.get(i).rgb();
            for (int k = 0; k < x.length; k++) {
                sum += Math.abs((x[k] & 0xff) - (y[k] & 0xff));
                n++;
            }
        }
        return (double) sum / n;
    }

    @Test
    void shouldEnhanceWithTheDecodersMotionVectorsAndStayAsNearBicubicAsDis() {
        DecodedSegment d = decodedPan(5);
        for (int i = 1; i < 5; i++) {
            assertNotNull(d.motion().get(i), "libx264 P frame " + i + " carries motion vectors");
        }
        WindowId id = new WindowId("cam-1", 3, 0);
        WindowInput in = new WindowInput(id, d.frames(), 0, 5, null, CompressionHints.NONE, d.motion());
        SdatcEnhancer mv = SdatcEngine.over(
                tiny, DEFAULTS.withFlow(FlowSourceKind.MOTION_VECTORS, FlowGuidance.Config.defaults()));
        assertTrue(mv.wantsMotionVectors());
        WindowOutput out = mv.enhance(in);
        List<Image> bicubic = BICUBIC.enhance(in).frames();
        double mvDiff = meanDiff(out.frames(), bicubic);
        double disDiff = meanDiff(SdatcEngine.over(tiny, DEFAULTS).enhance(in).frames(), bicubic);
        assertTrue(mvDiff <= 3.0, "motion-vector guidance moved bicubic by " + mvDiff + "/255 (DIS: " + disDiff + ")");
        assertNotNull(out.carry(), "with motion-vector guidance the window still carries its latents");
        // Another flow really was used: the guided latents differ from DIS-guided ones.
        assertFalse(
                java.util.Arrays.equals(
                        out.frames().get(2).rgb(),
                        SdatcEngine.over(tiny, DEFAULTS)
                                .enhance(in)
                                .frames()
                                .get(2)
                                .rgb()),
                "motion vectors gave exactly the DIS result");
    }

    @Test
    void shouldHandEachWindowTheMotionOfConsecutiveSegmentFramesOnly() {
        DecodedSegment d = decodedPan(8);
        List<List<MotionField>> seen = new ArrayList<>();
        Enhancer recorder = new Enhancer() {
            @Override
            public EnhancerInfo info() {
                return new EnhancerInfo("recorder", 4, 0, "cpu", org.sdatc.enhancer.engine.Tier.FULL);
            }

            @Override
            public boolean wantsMotionVectors() {
                return true;
            }

            @Override
            public WindowOutput enhance(WindowInput input) {
                seen.add(input.motion());
                return BICUBIC.enhance(input);
            }
        };
        List<Image> tail = d.frames().subList(0, 2);
        new SegmentEnhancer(new WindowPlanner(5, 2), recorder)
                .enhance(
                        "cam-1",
                        4,
                        d.frames(),
                        d.motion(),
                        new SegmentEnhancer.Continuity(tail, null),
                        CompressionHints.NONE);
        // Windows [t0 t1 s0 s1 s2], then [s1 .. s5] ... : a tail frame and the segment's first
        // frame (a keyframe) have no motion; every later segment frame brings its own field.
        List<MotionField> first = seen.get(0);
        assertEquals(5, first.size());
        assertEquals(null, first.get(1), "tail frame");
        assertEquals(null, first.get(2), "segment's first frame follows a tail frame");
        assertTrue(
                first.get(3) == d.motion().get(1) && first.get(4) == d.motion().get(2));
        List<MotionField> second = seen.get(1);
        assertEquals(null, second.get(0));
        for (int j = 1; j < 5; j++) {
            assertNotNull(second.get(j), "window 1 position " + j);
        }
    }

    @Test
    void shouldEnhanceWithTheModelsFlowStageAsDisDoesWhenBothFindTheSameFlow(@TempDir Path dir) throws IOException {
        Path model = copyTiny(Files.createDirectory(dir.resolve("zero")));
        ReferenceModels.addFlowStage(model, 0f, 0f, 0f);
        // A still shot: the test graph's zero flow is then the true flow.
        int[] still = {0, 0};
        List<Image> frames = SyntheticClip.translating(48, 32, 4, still, still, still, still);
        WindowInput in = new WindowInput(new WindowId("cam-2", 1, 0), frames, 0, 5, null, CompressionHints.NONE);
        try (OnnxSessions s = OnnxSessions.open(ModelDirectory.load(model), ExecutionConfig.cpu(2))) {
            SdatcEnhancer e =
                    SdatcEngine.over(s, DEFAULTS.withFlow(FlowSourceKind.MODEL, FlowGuidance.Config.defaults()));
            WindowOutput out = e.enhance(in);
            // DIS also finds exactly zero flow between identical frames, so both paths must give
            // the same bytes: same masks, same guidance, same carry.
            WindowOutput dis = SdatcEngine.over(s, DEFAULTS).enhance(in);
            for (int i = 0; i < 5; i++) {
                assertTrue(
                        java.util.Arrays.equals(
                                out.frames().get(i).rgb(), dis.frames().get(i).rgb()),
                        "frame " + i + " differs from DIS-guided: mean "
                                + meanDiff(
                                        List.of(out.frames().get(i)),
                                        List.of(dis.frames().get(i))) + "/255");
            }
            assertTrue(out.timings().asMap().containsKey(org.sdatc.enhancer.engine.Stage.FLOW));
        }
    }

    @Test
    void shouldRefuseTheModelFlowSourceAtConstructionWhenTheModelHasNoFlowStage() {
        ModelContractException e = assertThrows(
                ModelContractException.class,
                () -> SdatcEngine.over(tiny, DEFAULTS.withFlow(FlowSourceKind.MODEL, FlowGuidance.Config.defaults())));
        assertTrue(e.getMessage().contains("no \"flow\" stage"), e.getMessage());
        assertTrue(e.getMessage().contains("sdatc.engine.flow"), e.getMessage());
    }

    private static Path copyTiny(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(TestModels.tiny())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }
}
