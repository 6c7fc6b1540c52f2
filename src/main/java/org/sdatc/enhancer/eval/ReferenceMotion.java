package org.sdatc.enhancer.eval;

import java.util.ArrayList;
import java.util.List;
import org.sdatc.enhancer.engine.flow.DisFlowSource;
import org.sdatc.enhancer.engine.flow.FlowField;
import org.sdatc.enhancer.engine.flow.FlowPair;
import org.sdatc.enhancer.engine.flow.Occlusion;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * The ground truth's own motion, which the temporal metrics hold every method to: for each frame t
 * after the first, the optical flow from t back to t - 1 (OpenCV DIS, {@link #PRESET}) and the mask
 * of pixels where it can be trusted (forward-backward consistent and inside the frame, {@link
 * Occlusion}). Computed once per clip and shared by every CRF and method.
 */
public final class ReferenceMotion {
    /** DIS preset for the metrics: finer than the engine's ULTRAFAST, since here accuracy is the point. */
    public static final DisFlowSource.Preset PRESET = DisFlowSource.Preset.MEDIUM;

    /** Pair t - 1 of the clip: flow on frame t's grid to frame t - 1, and where it is valid. */
    record Pair(FlowField backward, Tensor mask) {}

    private final List<Pair> pairs;
    private final double[] ownWarpError;

    private ReferenceMotion(List<Pair> pairs, double[] ownWarpError) {
        this.pairs = pairs;
        this.ownWarpError = ownWarpError;
    }

    /** @param progress called after each frame pair */
    public static ReferenceMotion of(List<Image> truth, Runnable progress) {
        DisFlowSource dis = new DisFlowSource(PRESET);
        List<Pair> pairs = new ArrayList<>(truth.size() - 1);
        double[] own = new double[truth.size() - 1];
        Tensor previous = truth.get(0).toTensor();
        for (int t = 1; t < truth.size(); t++) {
            FlowPair flows = dis.flows(List.of(truth.get(t - 1), truth.get(t))).get(0);
            Pair pair = new Pair(flows.backward(), Occlusion.mask(flows.backward(), flows.forward()));
            pairs.add(pair);
            Tensor current = truth.get(t).toTensor();
            own[t - 1] = TemporalMetrics.warpError(previous, current, pair);
            previous = current;
            progress.run();
        }
        return new ReferenceMotion(pairs, own);
    }

    Pair pair(int t) {
        return pairs.get(t - 1);
    }

    public int pairs() {
        return pairs.size();
    }

    /**
     * The ground truth's own warping error per pair: what warping with its flow leaves even for the
     * true frames (brightness changes, flow errors, occlusions the mask misses). A method that
     * reproduced the ground truth would score this; blur scores lower, flicker higher.
     */
    public double[] ownWarpError() {
        return ownWarpError.clone();
    }
}
