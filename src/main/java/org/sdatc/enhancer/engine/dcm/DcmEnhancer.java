package org.sdatc.enhancer.engine.dcm;

import java.util.List;
import java.util.stream.IntStream;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.EnhancerException;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.engine.StageTimings;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.engine.color.ColorCorrection;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.onnx.StageSession;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;
import org.sdatc.enhancer.tensor.Tensors;

/**
 * The {@code dcm} and {@code lite} tiers: the distortion control module alone (Eq. 5) on each
 * emitted frame, then the colour fix ({@code lite} runs the lite model's smaller DCM). No diffusion and no temporal state: a frame's output depends on that frame only,
 * so the window's context frames are not run.
 */
public final class DcmEnhancer implements Enhancer {
    private final StageSession dcm;
    private final ColorCorrection colorFix;
    private final EnhancerInfo info;

    /** Over sessions the caller owns and closes. {@code colorFix} may be null (none). */
    public DcmEnhancer(OnnxSessions sessions, ColorCorrection colorFix, Tier tier) {
        if (tier != Tier.DCM && tier != Tier.LITE) {
            throw new IllegalArgumentException("a DCM runs tier dcm or lite, not " + tier.tag());
        }
        this.dcm = sessions.stage(ModelStage.DCM);
        this.colorFix = colorFix;
        var m = sessions.manifest();
        this.info = new EnhancerInfo(
                "sdatc/" + m.name() + "@" + m.version(),
                m.scale(),
                0,
                sessions.provider().name().toLowerCase(java.util.Locale.ROOT),
                tier);
    }

    private static final ColorCorrection.ChannelAffine IDENTITY =
            new ColorCorrection.ChannelAffine(new float[] {1, 1, 1}, new float[] {0, 0, 0});

    /** Frame i of phases [N, 3 r^2, h, w] as [3, r h, r w]. */
    private static Tensor frame(Tensor phases, int i, int r) {
        Tensor one = Tensors.frame(phases, i);
        Tensor shuffled = Tensors.pixelShuffle(one.reshape(1, one.dim(0), one.dim(1), one.dim(2)), r);
        return shuffled.reshape(3, shuffled.dim(2), shuffled.dim(3));
    }

    @Override
    public EnhancerInfo info() {
        return info;
    }

    @Override
    public WindowOutput enhance(WindowInput input) {
        List<Image> frames = input.emitted();
        int w = frames.get(0).width();
        int h = frames.get(0).height();
        Tensor lq = Tensor.zeros(frames.size(), 3, h, w);
        for (int i = 0; i < frames.size(); i++) {
            Image f = frames.get(i);
            if (f.width() != w || f.height() != h) {
                throw new EnhancerException("window " + input.id() + " mixes frame sizes " + w + "x" + h + " and "
                        + f.width() + "x" + f.height());
            }
            f.writeInto(lq.data(), i * 3 * h * w);
        }
        StageTimings timings = new StageTimings();
        StageSession.Inputs in = StageSession.inputs().put("lq", lq);
        // The DCM's output still split into its x4 sub-pixel phases when its graph ends in a
        // PixelShuffle (the conversion to 8 bits below does the permutation), else as frames (r = 1).
        StageSession.Phases phases = timings.time(Stage.DCM, () -> {
            StageSession.Phases p = dcm.runPhases(in);
            return p != null ? p : new StageSession.Phases(dcm.run(in).get("restored"), 1);
        });
        Tensor p = phases.phases();
        int r = phases.factor();
        int ph = p.dim(2);
        int pw = p.dim(3);
        int frameSize = p.dim(1) * ph * pw;
        // Frames are independent: colour fix and 8-bit conversion run on all cores, which ONNX
        // Runtime leaves idle between windows. Timed as one block (wall time).
        Image[] out = new Image[frames.size()];
        long start = System.nanoTime();
        IntStream.range(0, frames.size()).parallel().forEach(i -> {
            if (colorFix == null) {
                out[i] = Image.fromPhases(p.data(), i * frameSize, pw, ph, r, IDENTITY.gain(), IDENTITY.bias());
                return;
            }
            Tensor reference = frames.get(i).toTensor();
            ColorCorrection.ChannelAffine map = colorFix.affine(p.data(), i * frameSize, 3, frameSize / 3, reference);
            out[i] = map != null
                    ? Image.fromPhases(p.data(), i * frameSize, pw, ph, r, map.gain(), map.bias())
                    : Image.fromTensor(colorFix.apply(frame(p, i, r), reference));
        });
        if (colorFix != null) {
            timings.add(Stage.COLOR_FIX, System.nanoTime() - start);
        }
        return new WindowOutput(List.of(out), null, timings);
    }
}
