package org.sdatc.enhancer.engine.reference;

import java.util.Arrays;

/**
 * A tensor flowing through a graph under construction: its ONNX name and its shape as far as the
 * builder knows it ({@link #UNKNOWN} for a dimension fixed only at run time, such as batch, height
 * or width). Shapes travel with values so blocks can size their weights, and so a later FLOP count
 * can read every node's shapes from a concrete trace.
 */
public record Value(String name, int[] shape) {
    public static final int UNKNOWN = -1;

    public Value {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Dimension {@code axis} (negative counts from the end), or {@link #UNKNOWN}. */
    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    /** Channel count of an NCHW value; fails when it is not known at build time. */
    public int channels() {
        int c = dim(1);
        if (c == UNKNOWN) {
            throw new IllegalStateException("channel count of " + name + " is not known at build time");
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Value v && v.name.equals(name) && Arrays.equals(v.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
