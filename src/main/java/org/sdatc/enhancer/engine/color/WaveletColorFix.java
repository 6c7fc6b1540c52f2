package org.sdatc.enhancer.engine.color;

import org.sdatc.enhancer.tensor.Blur;
import org.sdatc.enhancer.tensor.Resize;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * StableSR's wavelet colour fix: an "a trous" wavelet decomposition by repeated dilated binomial
 * blurs (dilation 1, 2, 4, ...); the result takes the low-frequency residual (colour, shading)
 * from the reference, bilinearly upsampled to output size, and every high-frequency band (detail
 * the model generated) from the output. Unlike {@link AdaIn} it corrects colour locally, so a
 * shift in one region does not move another.
 */
public final class WaveletColorFix implements ColorCorrection {
    private final int levels;

    /** Five levels, StableSR's choice: the low band keeps structures above ~64 output pixels. */
    public WaveletColorFix() {
        this(5);
    }

    public WaveletColorFix(int levels) {
        if (levels < 1 || levels > 12) {
            throw new IllegalArgumentException("wavelet levels must be in 1..12, got " + levels);
        }
        this.levels = levels;
    }

    @Override
    public Tensor apply(Tensor output, Tensor reference) {
        AdaIn.check(output, reference);
        Tensor ref = reference.dim(1) == output.dim(1) && reference.dim(2) == output.dim(2)
                ? reference
                : Resize.bilinear(reference, output.dim(1), output.dim(2));
        Tensor outLow = lowPass(output);
        Tensor refLow = lowPass(ref);
        // output = high + outLow, so output - outLow + refLow swaps the low band.
        Tensor result = Tensor.zeros(output.shape());
        float[] o = output.data();
        float[] ol = outLow.data();
        float[] rl = refLow.data();
        float[] d = result.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = o[i] - ol[i] + rl[i];
        }
        return result;
    }

    /** The low-frequency residual after {@code levels} dilated blurs. */
    public Tensor lowPass(Tensor t) {
        Tensor low = t;
        for (int i = 0; i < levels; i++) {
            low = Blur.binomial3x3(low, 1 << i);
        }
        return low;
    }
}
