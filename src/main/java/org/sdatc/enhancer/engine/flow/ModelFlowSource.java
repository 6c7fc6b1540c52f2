package org.sdatc.enhancer.engine.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.StageSession;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Flow from the model directory's optional {@code flow} stage (docs/model-contract.md: {@code
 * frame0}, {@code frame1} [N, 3, H, W] in [0, 1] to {@code flow} [N, 2, H', W'] in pixels of its
 * own grid, x then y, with frame0(x) ~ frame1(x + flow(x))). A learned estimator (RAFT-like) for
 * content where DIS is weak, at the cost of a network run per window.
 *
 * <p>One session run per window: the T - 1 forward pairs (i, i+1) and the T - 1 backward pairs
 * (i+1, i) go on the batch axis together. An output on another grid than the frames' is resized
 * and its vectors rescaled to frame size ({@link FlowField#resize}). Thread-safe as ONNX Runtime
 * sessions are.
 */
public final class ModelFlowSource implements FlowSource {
    private final StageSession session;

    public ModelFlowSource(StageSession session) {
        this.session = Objects.requireNonNull(session, "flow session");
        if (session.stage() != ModelStage.FLOW) {
            throw new IllegalArgumentException("ModelFlowSource needs the flow stage, got "
                    + session.stage().key());
        }
    }

    @Override
    public List<FlowPair> flows(List<Image> frames) {
        int n = frames.size() - 1;
        List<FlowPair> pairs = new ArrayList<>(Math.max(0, n));
        if (n < 1) {
            return pairs;
        }
        int w = frames.get(0).width();
        int h = frames.get(0).height();
        for (Image f : frames) {
            if (f.width() != w || f.height() != h) {
                throw new IllegalArgumentException(
                        "flow needs frames of one size, got " + w + "x" + h + " and " + f.width() + "x" + f.height());
            }
        }
        int frameSize = 3 * h * w;
        Tensor frame0 = Tensor.zeros(2 * n, 3, h, w);
        Tensor frame1 = Tensor.zeros(2 * n, 3, h, w);
        for (int i = 0; i < n; i++) {
            frames.get(i).writeInto(frame0.data(), i * frameSize);
            frames.get(i + 1).writeInto(frame1.data(), i * frameSize);
            frames.get(i + 1).writeInto(frame0.data(), (n + i) * frameSize);
            frames.get(i).writeInto(frame1.data(), (n + i) * frameSize);
        }
        Tensor flow = session.run(StageSession.inputs().put("frame0", frame0).put("frame1", frame1))
                .get("flow");
        if (flow.rank() != 4 || flow.dim(0) != 2 * n || flow.dim(1) != 2) {
            throw new IllegalStateException("the model's flow stage returned " + flow + " for " + 2 * n
                    + " frame pairs; docs/model-contract.md requires flow [N, 2, H, W]");
        }
        for (int i = 0; i < n; i++) {
            FlowField forward = field(flow, i).resize(h, w);
            FlowField backward = field(flow, n + i).resize(h, w);
            pairs.add(new FlowPair(forward, backward));
        }
        return pairs;
    }

    private static FlowField field(Tensor flow, int index) {
        int size = 2 * flow.dim(2) * flow.dim(3);
        float[] d = new float[size];
        System.arraycopy(flow.data(), index * size, d, 0, size);
        return new FlowField(new Tensor(d, 2, flow.dim(2), flow.dim(3)));
    }
}
