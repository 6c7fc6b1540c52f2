package org.sdatc.enhancer.engine.color;

import org.sdatc.enhancer.tensor.Tensor;
import org.sdatc.enhancer.tensor.Tensors;
import org.sdatc.enhancer.tensor.Tensors.ChannelStats;

/**
 * Adaptive instance normalisation (Huang and Belongie 2017), the paper's colour fix: each channel
 * of the output is shifted and scaled so its mean and standard deviation equal the low-quality
 * reference's, out = (x - mean_x) / std_x * std_ref + mean_ref.
 *
 * <p>The reference statistics are taken at the reference's own size, not after upsampling it: the
 * mean is the same either way, upsampling only smooths (and so shrinks) the standard deviation by an
 * amount that depends on the interpolator, and it would cost a full-size resize per frame.
 */
public final class AdaIn implements ColorCorrection {
    /** Guards flat channels; in [0, 1] units it is far below one 8-bit level. */
    private static final double EPS = 1e-6;

    @Override
    public Tensor apply(Tensor output, Tensor reference) {
        check(output, reference);
        ChannelStats out = Tensors.channelStats(output);
        ChannelStats ref = Tensors.channelStats(reference);
        Tensor result = Tensor.zeros(output.shape());
        int plane = output.dim(1) * output.dim(2);
        float[] src = output.data();
        float[] dst = result.data();
        for (int c = 0; c < output.dim(0); c++) {
            double gain = gain(out, ref, c);
            double m = out.mean(c);
            double mr = ref.mean(c);
            int off = c * plane;
            for (int i = 0; i < plane; i++) {
                dst[off + i] = (float) ((src[off + i] - m) * gain + mr);
            }
        }
        return result;
    }

    @Override
    public ChannelAffine affine(float[] data, int offset, int channels, int plane, Tensor reference) {
        ChannelStats out = Tensors.channelStats(data, offset, channels, plane);
        ChannelStats ref = Tensors.channelStats(reference);
        float[] gain = new float[channels];
        float[] bias = new float[channels];
        for (int c = 0; c < channels; c++) {
            double g = gain(out, ref, c);
            gain[c] = (float) g;
            bias[c] = (float) (ref.mean(c) - out.mean(c) * g);
        }
        return new ChannelAffine(gain, bias);
    }

    private static double gain(ChannelStats out, ChannelStats ref, int c) {
        return ref.std(c) / Math.max(out.std(c), EPS);
    }

    static void check(Tensor output, Tensor reference) {
        if (output.rank() != 3 || reference.rank() != 3 || output.dim(0) != reference.dim(0)) {
            throw new IllegalArgumentException(
                    "colour correction needs [C, H, W] output and reference with equal C, got " + output + " and "
                            + reference);
        }
    }
}
