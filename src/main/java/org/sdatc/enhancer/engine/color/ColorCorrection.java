package org.sdatc.enhancer.engine.color;

import org.sdatc.enhancer.tensor.Tensor;

/**
 * Removes the colour shift diffusion models add (paper appendix, "color shift"): pulls the
 * enhanced frame's colours towards the low-quality input's. Implementations are stateless.
 */
public interface ColorCorrection {
    /**
     * @param output the enhanced frame, [3, H, W] floats in [0, 1]; not modified
     * @param reference the low-quality frame, [3, h, w], usually h = H / 4
     * @return the corrected frame, [3, H, W]; not clamped (Image.fromTensor clamps)
     */
    Tensor apply(Tensor output, Tensor reference);

    /** out = gain[c] * v + bias[c] for every value v of channel c. */
    record ChannelAffine(float[] gain, float[] bias) {}

    /**
     * The correction as a per-channel affine map, when it is one (AdaIN), for a frame whose
     * channel c is the {@code plane} values from {@code offset + c * plane} of {@code data}, in any
     * order (a frame still split into sub-pixel phases has the same statistics); null for a
     * correction that is not.
     */
    default ChannelAffine affine(float[] data, int offset, int channels, int plane, Tensor reference) {
        return null;
    }
}
