package org.sdatc.enhancer.tensor;

import java.util.Arrays;

/**
 * Small statistics and element-wise kernels over {@link Tensor} data. Sums run in double so that
 * statistics of a 1080p plane (two million values) keep float precision.
 */
public final class Tensors {
    private Tensors() {}

    /** Per-channel mean and (population) standard deviation of a [C, H, W] tensor. */
    public record ChannelStats(double[] mean, double[] std) {
        public ChannelStats {
            mean = mean.clone();
            std = std.clone();
        }

        @Override
        public double[] mean() {
            return mean.clone();
        }

        @Override
        public double[] std() {
            return std.clone();
        }

        public int channels() {
            return mean.length;
        }

        public double mean(int c) {
            return mean[c];
        }

        public double std(int c) {
            return std[c];
        }

        @Override
        public String toString() {
            return "ChannelStats[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
        }
    }

    /** Mean and population standard deviation of each channel of a [C, H, W] tensor. */
    public static ChannelStats channelStats(Tensor t) {
        requireRank(t, 3, "channelStats");
        int channels = t.dim(0);
        int plane = t.dim(1) * t.dim(2);
        float[] d = t.data();
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            int off = c * plane;
            double sum = 0;
            for (int i = 0; i < plane; i++) {
                sum += d[off + i];
            }
            double m = sum / plane;
            // Two-pass variance: exact enough for flat channels where E[x^2]-m^2 cancels.
            double sq = 0;
            for (int i = 0; i < plane; i++) {
                double v = d[off + i] - m;
                sq += v * v;
            }
            mean[c] = m;
            std[c] = Math.sqrt(sq / plane);
        }
        return new ChannelStats(mean, std);
    }

    /** Sum of absolute differences, in double. */
    public static double l1Distance(Tensor a, Tensor b) {
        requireSameShape(a, b, "l1Distance");
        float[] x = a.data();
        float[] y = b.data();
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.abs(x[i] - y[i]);
        }
        return s;
    }

    /** Inner product, in double. */
    public static double dot(Tensor a, Tensor b) {
        requireSameShape(a, b, "dot");
        float[] x = a.data();
        float[] y = b.data();
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (double) x[i] * y[i];
        }
        return s;
    }

    /** Largest absolute difference between two tensors of the same shape. */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        requireSameShape(a, b, "maxAbsDiff");
        float[] x = a.data();
        float[] y = b.data();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    /** Frame {@code index} of a [T, ...] tensor as a view sharing nothing: a copy of that slice. */
    public static Tensor frame(Tensor t, int index) {
        int[] shape = t.shape();
        int frameSize = t.size() / shape[0];
        float[] out = Arrays.copyOfRange(t.data(), index * frameSize, (index + 1) * frameSize);
        return new Tensor(out, Arrays.copyOfRange(shape, 1, shape.length));
    }

    static void requireRank(Tensor t, int rank, String op) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + " needs a rank-" + rank + " tensor, got " + t);
        }
    }

    static void requireSameShape(Tensor a, Tensor b, String op) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(op + " needs tensors of one shape, got " + a + " and " + b);
        }
    }
}
