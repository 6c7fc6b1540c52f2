package org.sdatc.enhancer.engine.flow;

import java.util.stream.IntStream;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Backward warping by bilinear sampling, out(c, y, x) = src(c, y + dy, x + dx), and its exact
 * adjoint (the transpose of the same sparse linear map), which carries gradients of a warping
 * error back to the source frame in flow guidance (Eq. 13-14).
 *
 * <p>Padding is zeros: a bilinear tap outside the source contributes nothing (grid_sample's
 * {@code padding_mode="zeros"}). Zeros keep the operator a plain sum of in-frame taps, so the
 * adjoint is exact and cheap; the pixels that sample outside are excluded from the error by the
 * occlusion masks ({@link Occlusion}), which mark them invalid.
 */
public final class Warp {
    private Warp() {}

    /** Warps a [C, H, W] source with a flow on the same H x W grid into a new tensor. */
    public static Tensor backward(Tensor src, FlowField flow) {
        Tensor out = Tensor.zeros(src.shape());
        backward(src, flow, out);
        return out;
    }

    /** Warps into {@code dst} (overwritten), allocation-free. */
    public static void backward(Tensor src, FlowField flow, Tensor dst) {
        check(src, flow, dst, "Warp.backward");
        int channels = src.dim(0);
        int h = src.dim(1);
        int w = src.dim(2);
        int plane = h * w;
        float[] s = src.data();
        float[] d = dst.data();
        float[] f = flow.data().data();
        IntStream.range(0, h).parallel().forEach(y -> {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                float sx = x + f[p];
                float sy = y + f[plane + p];
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                float fx = sx - x0;
                float fy = sy - y0;
                boolean inX0 = x0 >= 0 && x0 < w;
                boolean inX1 = x0 + 1 >= 0 && x0 + 1 < w;
                boolean inY0 = y0 >= 0 && y0 < h;
                boolean inY1 = y0 + 1 >= 0 && y0 + 1 < h;
                float w00 = inX0 && inY0 ? (1 - fx) * (1 - fy) : 0;
                float w10 = inX1 && inY0 ? fx * (1 - fy) : 0;
                float w01 = inX0 && inY1 ? (1 - fx) * fy : 0;
                float w11 = inX1 && inY1 ? fx * fy : 0;
                int i00 = clampIndex(x0, y0, w, h);
                int i10 = clampIndex(x0 + 1, y0, w, h);
                int i01 = clampIndex(x0, y0 + 1, w, h);
                int i11 = clampIndex(x0 + 1, y0 + 1, w, h);
                for (int c = 0; c < channels; c++) {
                    int o = c * plane;
                    d[o + p] = w00 * s[o + i00] + w10 * s[o + i10] + w01 * s[o + i01] + w11 * s[o + i11];
                }
            }
        });
    }

    /** The adjoint of {@link #backward(Tensor, FlowField)} applied to a [C, H, W] tensor. */
    public static Tensor backwardAdjoint(Tensor grad, FlowField flow) {
        Tensor out = Tensor.zeros(grad.shape());
        backwardAdjointAdd(grad, flow, out);
        return out;
    }

    /**
     * Adds W^T grad to {@code acc}: every output pixel scatters its value back to the four source
     * taps it was sampled from, with the same weights. Parallel over channels, since scatters of
     * different pixels collide within a channel.
     */
    public static void backwardAdjointAdd(Tensor grad, FlowField flow, Tensor acc) {
        check(grad, flow, acc, "Warp.backwardAdjoint");
        int channels = grad.dim(0);
        int h = grad.dim(1);
        int w = grad.dim(2);
        int plane = h * w;
        float[] g = grad.data();
        float[] a = acc.data();
        float[] f = flow.data().data();
        IntStream.range(0, channels).parallel().forEach(c -> {
            int o = c * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    float v = g[o + p];
                    if (v == 0) {
                        continue;
                    }
                    float sx = x + f[p];
                    float sy = y + f[plane + p];
                    int x0 = (int) Math.floor(sx);
                    int y0 = (int) Math.floor(sy);
                    float fx = sx - x0;
                    float fy = sy - y0;
                    boolean inX0 = x0 >= 0 && x0 < w;
                    boolean inX1 = x0 + 1 >= 0 && x0 + 1 < w;
                    if (y0 >= 0 && y0 < h) {
                        int r = o + y0 * w;
                        if (inX0) {
                            a[r + x0] += (1 - fx) * (1 - fy) * v;
                        }
                        if (inX1) {
                            a[r + x0 + 1] += fx * (1 - fy) * v;
                        }
                    }
                    if (y0 + 1 >= 0 && y0 + 1 < h) {
                        int r = o + (y0 + 1) * w;
                        if (inX0) {
                            a[r + x0] += (1 - fx) * fy * v;
                        }
                        if (inX1) {
                            a[r + x0 + 1] += fx * fy * v;
                        }
                    }
                }
            }
        });
    }

    private static int clampIndex(int x, int y, int w, int h) {
        return Math.max(0, Math.min(h - 1, y)) * w + Math.max(0, Math.min(w - 1, x));
    }

    private static void check(Tensor src, FlowField flow, Tensor dst, String op) {
        if (src.rank() != 3) {
            throw new IllegalArgumentException(op + " needs a [C, H, W] tensor, got " + src);
        }
        if (src.dim(1) != flow.height() || src.dim(2) != flow.width()) {
            throw new IllegalArgumentException(
                    op + ": flow is " + flow.width() + "x" + flow.height() + " but the tensor " + src + " is "
                            + src.dim(2) + "x" + src.dim(1) + "; resize the flow with FlowField.resize first");
        }
        if (!src.sameShape(dst)) {
            throw new IllegalArgumentException(op + " output " + dst + " must be shaped like its input " + src);
        }
    }
}
