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
}
