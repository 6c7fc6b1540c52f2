package org.sdatc.enhancer.stream;

import java.util.List;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.budget.Ladder;
import org.sdatc.enhancer.engine.budget.Rung;
import org.sdatc.enhancer.engine.budget.RungCosts;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.window.SegmentEnhancer;
import org.sdatc.enhancer.window.WindowPlanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds the latency budget's costs: times each rung not yet measured at a resolution once on a
 * synthetic window, so the policy's first choice rests on this machine's costs. The processor runs
 * it on the first segment of a new resolution; the service can run it at start-up for the sizes it
 * expects (sdatc.latency.warmup.sizes), so no live segment waits for it.
 */
public final class RungWarmUp {
    private static final Logger log = LoggerFactory.getLogger(RungWarmUp.class);

    private RungWarmUp() {}

    public static void run(Ladder ladder, RungCosts costs, int windowLength, int windowContext, int width, int height) {
        if (ladder.rungs().size() < 2) {
            return;
        }
        WindowPlanner planner = new WindowPlanner(windowLength, windowContext);
        List<Image> frames = null;
        for (Rung rung : ladder.rungs()) {
            if (costs.known(width, height, rung)) {
                continue;
            }
            if (frames == null) {
                frames = SyntheticWindow.frames(width, height, windowLength);
            }
            // One window as in the middle of a stream: the context frames come as the tail, so each
            // rung does the work it does per new frame (full runs the whole window, dcm only the new
            // frames) and the cost per emitted frame is the steady state's.
            List<Image> tail = frames.subList(0, windowContext);
            List<Image> fresh = frames.subList(windowContext, frames.size());
            long t0 = System.nanoTime();
            new SegmentEnhancer(planner, ladder.at(rung))
                    .enhance("warm-up", 0, fresh, new SegmentEnhancer.Continuity(tail, null), CompressionHints.NONE);
            double ms = (System.nanoTime() - t0) / 1e6 / fresh.size();
            costs.observe(width, height, rung, ms);
            log.info("warm-up {}x{} rung {}: {} ms/frame", width, height, rung, String.format("%.1f", ms));
        }
    }
}
