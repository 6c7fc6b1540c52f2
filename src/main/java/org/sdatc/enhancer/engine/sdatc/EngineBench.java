package org.sdatc.enhancer.engine.sdatc;

import java.util.List;
import java.util.Map;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.engine.StageTimings;
import org.sdatc.enhancer.engine.WindowId;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;

/**
 * Per-stage time and throughput of the SDATC engine with reference-tiny on the CPU, default
 * options otherwise (DDIM, DIS flow guidance, AdaIN, 1024-pixel tiles). Windows of 5 frames with 2
 * frames of context, as the service cuts them: the first window emits 5 frames, the others 3, each
 * stitched to the previous through the carry.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp target/sdatc-enhancer.jar \
 *   org.sdatc.enhancer.engine.sdatc.EngineBench [width height steps windows [tileSize]]
 * </pre>
 */
public final class EngineBench {
    private EngineBench() {}

    public static void main(String[] args) {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 480;
        int height = args.length > 1 ? Integer.parseInt(args[1]) : 270;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int windows = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        SdatcOptions options = SdatcOptions.defaults().withSteps(steps).withExecution(ExecutionConfig.cpu(0));
        if (args.length > 4) {
            options = options.withTiles(Integer.parseInt(args[4]), options.tileOverlap());
        }
        List<Image> clip = SyntheticClip.generate(width, height, 5 + 3 * (windows - 1), 1);
        try (Enhancer engine = SdatcEngine.open(null, options)) {
            System.out.printf(
                    "%s, %d steps, %s, %dx%d -> %dx%d, %d windows of 5 (context 2), tile size %d, %d cores%n",
                    engine.info().model(),
                    steps,
                    engine.info().provider(),
                    width,
                    height,
                    width * 4,
                    height * 4,
                    windows,
                    options.tileSize(),
                    Runtime.getRuntime().availableProcessors());
            StageTimings total = new StageTimings();
            byte[] carry = null;
            int emitted = 0;
            long start = System.nanoTime();
            for (int w = 0; w < windows; w++) {
                int first = w == 0 ? 0 : 3 * w;
                List<Image> frames = clip.subList(first, first + 5);
                int emitStart = w == 0 ? 0 : 2;
                long t0 = System.nanoTime();
                WindowOutput out = engine.enhance(new WindowInput(
                        new WindowId("bench", 0, w), frames, emitStart, 5 - emitStart, carry, CompressionHints.NONE));
                System.out.printf(
                        "window %d: %d frames in %.0f ms%n", w, out.frames().size(), (System.nanoTime() - t0) / 1e6);
                carry = out.carry();
                emitted += out.frames().size();
                total.addAll(out.timings());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-14s %12s %14s%n", "stage", "total ms", "ms per window");
            for (Map.Entry<Stage, Long> e : total.asMap().entrySet()) {
                System.out.printf(
                        "%-14s %12.0f %14.0f%n", e.getKey().tag(), e.getValue() / 1e6, e.getValue() / 1e6 / windows);
            }
            System.out.printf(
                    "%d frames in %.1f s: %.3f frames/s (%.2f s per frame)%n",
                    emitted, seconds, emitted / seconds, seconds / emitted);
        }
    }
}
