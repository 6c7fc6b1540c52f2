package org.sdatc.enhancer.engine.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.reference.ReferenceModels;
import org.sdatc.enhancer.engine.reference.TestModels;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;

/** The MODEL flow source on a real ONNX Runtime session (CPU) of the reference test flow graph. */
class ModelFlowSourceTest {
    /** reference-tiny copied to {@code dir} with the test flow stage added. */
    static Path tinyWithFlow(Path dir, float gain, float dx, float dy) throws IOException {
        try (Stream<Path> files = Files.list(TestModels.tiny())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        ReferenceModels.addFlowStage(dir, gain, dx, dy);
        return dir;
    }

    private static float meanAt(Image img, int x, int y) {
        return (img.sample(x, y, 0) + img.sample(x, y, 1) + img.sample(x, y, 2)) / 3f / 255f;
    }

    @Test
    void shouldRunTheFlowStageOnEveryPairInBothDirectionsInOneBatch(@TempDir Path dir) throws IOException {
        Path model = tinyWithFlow(dir, 1f, 0.5f, -0.25f);
        List<Image> frames = SyntheticClip.generate(40, 24, 4, 5);
        try (OnnxSessions s = OnnxSessions.open(ModelDirectory.load(model), ExecutionConfig.cpu(2))) {
            List<FlowPair> pairs = new ModelFlowSource(s.flow().orElseThrow()).flows(frames);
            assertEquals(3, pairs.size());
            for (int i = 0; i < 3; i++) {
                FlowPair p = pairs.get(i);
                assertEquals(40, p.forward().width());
                assertEquals(24, p.forward().height());
                for (int[] xy : new int[][] {{0, 0}, {13, 7}, {39, 23}}) {
                    int x = xy[0];
                    int y = xy[1];
                    float d = meanAt(frames.get(i + 1), x, y) - meanAt(frames.get(i), x, y);
                    String at = "pair " + i + " at " + x + "," + y;
                    assertEquals(d + 0.5f, p.forward().dx(x, y), 1e-4, "forward " + at);
                    assertEquals(-d + 0.5f, p.backward().dx(x, y), 1e-4, "backward " + at);
                    assertEquals(-0.25f, p.forward().dy(x, y), 1e-5, at);
                    assertEquals(-0.25f, p.backward().dy(x, y), 1e-5, at);
                }
            }
        }
    }
}
