package org.sdatc.enhancer.engine.flow;

import java.util.Objects;
import org.sdatc.enhancer.tensor.Resize;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * A dense displacement field, shape [2, H, W]: channel 0 is dx, channel 1 is dy, in pixels of
 * this field's own grid. The tensor is shared, not copied; treat it as read-only once built.
 */
public record FlowField(Tensor data) {
    public FlowField {
        Objects.requireNonNull(data, "flow data");
        if (data.rank() != 3 || data.dim(0) != 2) {
            throw new IllegalArgumentException("a flow field is shaped [2, H, W] (dx, dy), got " + data);
        }
    }

    /** A field with the same displacement everywhere. */
    public static FlowField uniform(int height, int width, float dx, float dy) {
        Tensor t = Tensor.zeros(2, height, width);
        int plane = height * width;
        java.util.Arrays.fill(t.data(), 0, plane, dx);
        java.util.Arrays.fill(t.data(), plane, 2 * plane, dy);
        return new FlowField(t);
    }

    public int height() {
        return data.dim(1);
    }

    public int width() {
        return data.dim(2);
    }

    public float dx(int x, int y) {
        return data.data()[y * width() + x];
    }

    public float dy(int x, int y) {
        return data.data()[height() * width() + y * width() + x];
    }

    /**
     * The field on an h x w grid: bilinearly resampled, and each vector scaled by the size ratio
     * (dx by w / W, dy by h / H), since displacements are measured in pixels of the grid. Brings
     * flow at low-resolution frame size to latent size.
     */
    public FlowField resize(int h, int w) {
        if (h == height() && w == width()) {
            return this;
        }
        Tensor r = Resize.bilinear(data, h, w);
        float sx = (float) w / width();
        float sy = (float) h / height();
        float[] d = r.data();
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            d[i] *= sx;
            d[plane + i] *= sy;
        }
        return new FlowField(r);
    }
}
