package org.sdatc.enhancer.eval;

import java.nio.file.Path;
import java.util.List;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.tensor.Image;

/**
 * One ground-truth clip at full resolution, checked by {@link GroundTruthReader}: at least {@link
 * GroundTruthReader#MIN_FRAMES} frames, all one size, both sides divisible by 8.
 *
 * @param name the folder's or file's name (without extension), as tables and plots show it
 * @param source the folder of PNG frames or the video file it was read from
 * @param frameRate the video's own rate, or {@code --fps} for a folder of frames
 */
public record GroundTruth(String name, Path source, List<Image> frames, Rational frameRate) {
    public GroundTruth {
        frames = List.copyOf(frames);
    }

    public int width() {
        return frames.get(0).width();
    }

    public int height() {
        return frames.get(0).height();
    }

    public int frameCount() {
        return frames.size();
    }
}
