package org.sdatc.enhancer.eval;

import java.util.Arrays;
import org.sdatc.enhancer.engine.flow.DisFlowSource;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Measures one run's output frames as they arrive, in display order, against a {@link
 * PreparedClip}: Y-PSNR, SSIM and BRISQUE per frame, warping error and tOF per frame pair, and the
 * crops of the detailed region (output and decoded low-resolution input). Keeps only the previous
 * frame, so memory does not grow with the clip.
 */
final class RunScorer implements PipelineRun.FrameSink {
    private final PreparedClip clip;
    private final Brisque brisque;
    private final Runnable perFrame;
    private final DisFlowSource dis = new DisFlowSource(ReferenceMotion.PRESET);
    private final double[] psnr;
    private final double[] ssim;
    private final double[] bri;
    private final double[] warp;
    private final double[] tof;
    private Image previous;
    private Tensor previousTensor;
    private int next;
    private Image outputCrop;
    private Image lowResCrop;

    RunScorer(PreparedClip clip, Brisque brisque, Runnable perFrame) {
        this.clip = clip;
        this.brisque = brisque;
        this.perFrame = perFrame;
        int n = clip.truth().frameCount();
        psnr = new double[n];
        ssim = new double[n];
        bri = new double[n];
        warp = new double[n - 1];
        tof = new double[n - 1];
    }

    @Override
    public void accept(int index, Image lowRes, Image output) {
        if (index != next) {
            throw new IllegalStateException("frame " + index + " arrived, expected frame " + next);
        }
        Image truth = clip.truth().frames().get(index);
        if (output.width() != truth.width() || output.height() != truth.height()) {
            throw new IllegalStateException("the method returned " + output.width() + "x" + output.height()
                    + " frames for " + truth.width() + "x" + truth.height() + " ground truth: eval measures x4"
                    + " methods only");
        }
        Luma y = Luma.of(output);
        psnr[index] = YPsnr.of(y, clip.luma().get(index));
        ssim[index] = Ssim.of(y, clip.luma().get(index));
        bri[index] = brisque.score(output);
        Tensor tensor = output.toTensor();
        if (index > 0) {
            ReferenceMotion.Pair pair = clip.motion().pair(index);
            warp[index - 1] = TemporalMetrics.warpError(previousTensor, tensor, pair);
            tof[index - 1] = TemporalMetrics.flowDistance(dis.flow(output, previous), pair.backward());
        }
        if (index == clip.region().frame()) {
            outputCrop = clip.region().crop(output);
            lowResCrop = clip.region().cropLowRes(lowRes);
        }
        previous = output;
        previousTensor = tensor;
        next++;
        perFrame.run();
    }

    Scores scores() {
        if (next != psnr.length) {
            throw new IllegalStateException(
                    "the pipeline returned " + next + " frames for a clip of " + psnr.length + " frames");
        }
        return new Scores(psnr.clone(), ssim.clone(), warp.clone(), tof.clone(), Arrays.copyOf(bri, bri.length));
    }

    Image outputCrop() {
        return outputCrop;
    }

    Image lowResCrop() {
        return lowResCrop;
    }
}
