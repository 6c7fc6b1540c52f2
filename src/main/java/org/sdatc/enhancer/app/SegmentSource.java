package org.sdatc.enhancer.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.DemoScene;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.tensor.Image;

/** Where {@code produce} and {@code demo} get segments: a video file, or a generated clip. */
final class SegmentSource {
    private SegmentSource() {}

    /**
     * @param input a video file, or null for a generated clip ({@link DemoScene}: a textured wall, panned and zoomed)
     * @param crf how hard the low-resolution input is compressed (the live encoder upstream)
     */
    /** Close the returned stream: a file source holds a decoder. */
    static Stream<CutSegment> open(
            Path input,
            double segmentSeconds,
            int width,
            int height,
            int crf,
            double syntheticSeconds,
            int syntheticFps) {
        EncoderSettings lowQuality = new EncoderSettings("libx264", "veryfast", crf);
        if (input != null) {
            if (!Files.isReadable(input)) {
                throw new UserError("input video " + input + " does not exist or cannot be read");
            }
            return SegmentCutter.cut(input, segmentSeconds, width, height, lowQuality);
        }
        int frames = (int) Math.round(syntheticSeconds * syntheticFps);
        List<Image> clip = DemoScene.generate(width, height, frames);
        return SegmentCutter.cut(clip, new Rational(syntheticFps, 1), segmentSeconds, lowQuality).stream();
    }
}
