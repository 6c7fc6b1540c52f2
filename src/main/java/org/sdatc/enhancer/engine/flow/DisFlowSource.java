package org.sdatc.enhancer.engine.flow;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC2;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_video.DISOpticalFlow;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Dense Inverse Search optical flow (Kroeger et al. 2016) from OpenCV, on grey frames. ULTRAFAST,
 * the default, takes about 1 ms per direction at 480x270 on one core, small against a diffusion
 * step, and the latent grid (frame size / 2 for x4 SR with an /8 VAE) does not need finer flow.
 *
 * <p>OpenCV's DIS object keeps per-call buffers and is not thread-safe, so each call makes its own
 * and frees it: this class holds only the preset and is safe to share.
 */
public final class DisFlowSource implements FlowSource {
    /** OpenCV's DIS presets: more patches and refinement iterations cost time and buy accuracy. */
    public enum Preset {
        ULTRAFAST(DISOpticalFlow.PRESET_ULTRAFAST),
        FAST(DISOpticalFlow.PRESET_FAST),
        MEDIUM(DISOpticalFlow.PRESET_MEDIUM);

        private final int id;

        Preset(int id) {
            this.id = id;
        }
    }

    private final Preset preset;

    public DisFlowSource() {
        this(Preset.ULTRAFAST);
    }

    public DisFlowSource(Preset preset) {
        this.preset = Objects.requireNonNull(preset, "preset");
    }

    public Preset preset() {
        return preset;
    }

    @Override
    public List<FlowPair> flows(List<Image> frames) {
        List<FlowPair> pairs = new ArrayList<>(Math.max(0, frames.size() - 1));
        if (frames.size() < 2) {
            return pairs;
        }
        Image first = frames.get(0);
        for (Image f : frames) {
            if (f.width() != first.width() || f.height() != first.height()) {
                throw new IllegalArgumentException("flow needs frames of one size, got " + first.width() + "x"
                        + first.height() + " and " + f.width() + "x" + f.height());
            }
        }
        List<Mat> grays = new ArrayList<>(frames.size());
        try (DISOpticalFlow dis = DISOpticalFlow.create(preset.id);
                Mat flow = new Mat()) {
            for (Image f : frames) {
                grays.add(gray(f));
            }
            for (int i = 0; i + 1 < frames.size(); i++) {
                dis.calc(grays.get(i), grays.get(i + 1), flow);
                FlowField forward = toField(flow, first.height(), first.width());
                dis.calc(grays.get(i + 1), grays.get(i), flow);
                FlowField backward = toField(flow, first.height(), first.width());
                pairs.add(new FlowPair(forward, backward));
            }
        } finally {
            grays.forEach(Mat::close);
        }
        return pairs;
    }

    /**
     * One direction only: the field f on {@code a}'s grid with a(x) ~ b(x + f(x)), the {@link
     * FlowPair#backward()} of the pair (b, a). Half the cost of {@link #flows} for callers that
     * need no consistency check.
     */
    public FlowField flow(Image a, Image b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("flow needs frames of one size, got " + a.width() + "x" + a.height()
                    + " and " + b.width() + "x" + b.height());
        }
        try (DISOpticalFlow dis = DISOpticalFlow.create(preset.id);
                Mat flow = new Mat();
                Mat ga = gray(a);
                Mat gb = gray(b)) {
            dis.calc(ga, gb, flow);
            return toField(flow, a.height(), a.width());
        }
    }

    private static Mat gray(Image img) {
        try (Mat rgb = new Mat(img.height(), img.width(), CV_8UC3)) {
            rgb.data().put(img.rgb());
            Mat g = new Mat();
            cvtColor(rgb, g, COLOR_RGB2GRAY);
            return g;
        }
    }

    /** OpenCV's interleaved CV_32FC2 (dx, dy) to a planar [2, H, W] field. */
    private static FlowField toField(Mat flow, int h, int w) {
        if (flow.type() != CV_32FC2 || flow.rows() != h || flow.cols() != w || !flow.isContinuous()) {
            throw new IllegalStateException("OpenCV DIS returned an unexpected flow " + flow.cols() + "x" + flow.rows()
                    + " type " + flow.type() + " for " + w + "x" + h + " frames");
        }
        int plane = h * w;
        float[] interleaved = new float[2 * plane];
        new FloatPointer(flow.data()).get(interleaved);
        float[] planar = new float[2 * plane];
        for (int i = 0; i < plane; i++) {
            planar[i] = interleaved[2 * i];
            planar[plane + i] = interleaved[2 * i + 1];
        }
        return new FlowField(new Tensor(planar, 2, h, w));
    }
}
