package org.sdatc.enhancer.engine.onnx;

import java.util.Arrays;

/**
 * What the contract requires of one named stage input or output.
 *
 * @param name the tensor's name in the ONNX graph
 * @param element {@link Element#DATA} (float32 or float16 as the manifest says) or {@link
 *     Element#INT64}
 * @param dims one entry per axis: a positive size that the model must declare (or leave symbolic),
 *     {@link #DYNAMIC} for an axis that must stay symbolic (batch, time, height, width), or {@link
 *     #ANY} for an axis the contract does not constrain (model-defined feature widths)
 */
public record TensorSpec(String name, Element element, int[] dims) {
    public static final int DYNAMIC = -1;
    public static final int ANY = -2;

    public enum Element {
        DATA,
        INT64
    }

    public TensorSpec {
        dims = dims.clone();
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    /** The contract's shape as text, e.g. [N, 3, H, W] with N/H/W shown as "?". */
    public String describe() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            b.append(i > 0 ? ", " : "")
                    .append(dims[i] == DYNAMIC ? "dynamic" : dims[i] == ANY ? "any" : Integer.toString(dims[i]));
        }
        return b.append("]").toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.element == element && Arrays.equals(t.dims, dims);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return name + " " + element + " " + describe();
    }
}
