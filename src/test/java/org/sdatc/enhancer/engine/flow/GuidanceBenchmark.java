package org.sdatc.enhancer.engine.flow;

import java.awt.image.BufferedImage;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.sdatc.enhancer.engine.sampler.GaussianNoise;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Times one flow-guidance step on a 5x4x135x240 latent window (1080p / 8) and one DIS flow pair
 * (both directions) at 480x270. Not a test; run with:
 *
 * <pre>
 * ./mvnw -B -q test-compile &amp;&amp; java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     org.sdatc.enhancer.engine.flow.GuidanceBenchmark
 * </pre>
 *
 * (cp.txt from {@code ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 */
public final class GuidanceBenchmark {
    public static void main(String[] args) throws Exception {
        int t = 5;
        int h = 135;
        int w = 240;
        List<FlowPair> pairs = new ArrayList<>();
        for (int i = 0; i < t - 1; i++) {
            pairs.add(new FlowPair(WarpTest.randomFlow(i, 270, 480, 2f), WarpTest.randomFlow(50 + i, 270, 480, 2f)));
        }
        long p0 = System.nanoTime();
        FlowGuidance.GuidanceFlows flows = FlowGuidance.prepare(pairs, h, w, null);
        System.out.printf("prepare (resize + masks, 4 pairs at 480x270): %.2f ms%n", (System.nanoTime() - p0) / 1e6);
        FlowGuidance g = new FlowGuidance(FlowGuidance.Config.defaults());
        Tensor z = GaussianNoise.sample(1, t, 4, h, w);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 30; i++) {
            long s = System.nanoTime();
            FlowGuidance.correct(z, g.warpError(z, flows).gradient(), 1e-3);
            best = Math.min(best, (System.nanoTime() - s) / 1e6);
        }
        System.out.printf("guidance step 5x4x135x240: %.2f ms (best of 30)%n", best);

        BufferedImage img = ImageIO.read(new File("/work/shared/data/vid4/calendar/001.png"));
        Image a = DisFlowSourceTest.crop(img, 20, 30, 480, 270);
        Image b = DisFlowSourceTest.crop(img, 14, 34, 480, 270);
        for (DisFlowSource.Preset preset : DisFlowSource.Preset.values()) {
            DisFlowSource dis = new DisFlowSource(preset);
            double bestFlow = Double.MAX_VALUE;
            for (int i = 0; i < 20; i++) {
                long s = System.nanoTime();
                dis.flows(List.of(a, b));
                bestFlow = Math.min(bestFlow, (System.nanoTime() - s) / 1e6);
            }
            System.out.printf("DIS %s pair (fw + bw) 480x270: %.2f ms (best of 20)%n", preset, bestFlow);
        }
    }
}
