package org.sdatc.enhancer.tensor;

import java.util.Arrays;

/**
 * A dense float tensor in row-major (NCHW for images, NTCHW for windows) order with an explicit
 * shape. The engine's Java kernels (warping, resize, statistics) and the ONNX sessions exchange
 * data through this type.
 *
 * <p>The backing array is shared, not copied: {@link #data()} is the live buffer, so kernels can
 * work in place without allocating. Use {@link #copy()} when a caller needs its own.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    public Tensor(float[] data, int... shape) {
        long size = sizeOf(shape);
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + size + " values, data has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(int... shape) {
        long size = sizeOf(shape);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large");
        }
        return new Tensor(new float[(int) size], shape);
    }

    public static long sizeOf(int... shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            size *= d;
        }
        return size;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int size() {
        return data.length;
    }

    /** The live backing array, row-major. */
    public float[] data() {
        return data;
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    /** The same data seen with another shape of equal size. */
    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
