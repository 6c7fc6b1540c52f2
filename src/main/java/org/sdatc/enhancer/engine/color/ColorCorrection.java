package org.sdatc.enhancer.engine.color;

import org.sdatc.enhancer.tensor.Image;
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

    /**
     * Frame {@code index} of a batch [N, 3, H, W] corrected and rounded to 8 bits, the same pixels
     * as {@code Image.fromTensor(apply(frame, reference))}. This default copies the frame out; a
     * correction that can read the batch in place overrides it (a 1080p frame is 24 MB of floats).
     */
    default Image toImage(Tensor batch, int index, Tensor reference) {
        int plane = batch.dim(1) * batch.dim(2) * batch.dim(3);
        float[] one = new float[plane];
        System.arraycopy(batch.data(), index * plane, one, 0, plane);
        return Image.fromTensor(apply(new Tensor(one, batch.dim(1), batch.dim(2), batch.dim(3)), reference));
    }
}
