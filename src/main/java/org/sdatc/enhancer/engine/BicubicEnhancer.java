package org.sdatc.enhancer.engine;

import java.util.ArrayList;
import java.util.List;
import org.sdatc.enhancer.tensor.Bicubic;
import org.sdatc.enhancer.tensor.Image;

/** The baseline: each frame upscaled on its own with bicubic interpolation. SDATC must beat it. */
public final class BicubicEnhancer implements Enhancer {
    private final int scale;

    public BicubicEnhancer(int scale) {
        this.scale = scale;
    }

    @Override
    public EnhancerInfo info() {
        return new EnhancerInfo("bicubic", scale, 0, "java", Tier.BICUBIC);
    }

    @Override
    public WindowOutput enhance(WindowInput input) {
        StageTimings timings = new StageTimings();
        List<Image> out = timings.time(Stage.UPSCALE, () -> {
            List<Image> frames = new ArrayList<>(input.emitCount());
            for (Image frame : input.emitted()) {
                frames.add(Bicubic.upscale(frame, scale));
            }
            return frames;
        });
        return new WindowOutput(out, null, timings);
    }
}
