package org.sdatc.enhancer.eval;

import java.util.ArrayList;
import java.util.List;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.ImageScaler;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.tensor.Image;

/**
 * The degradation of the paper's protocol as a live stream makes it, with the project's own media
 * code: each ground-truth frame is shrunk x4 with libswscale's bicubic ({@link ImageScaler}), then
 * the clip is cut into live segments by {@link SegmentCutter}, as {@code produce} feeds the service:
 * libx264 at one CRF, preset {@code preset}, one closed GOP per segment of {@code segmentSeconds}
 * (a live encoder's keyframe interval; 1 s is 25 frames at 25 fps), no B-frames, no scene-cut
 * keyframes. The training side's degradation ({@code training/.../degradations.py}) is the same
 * chain through the ffmpeg binary.
 */
public record Degradation(String preset, double segmentSeconds) {
    public static final int SCALE = 4;

    /** libx264 medium, 1 s GOPs. */
    public static final Degradation LIVE = new Degradation("medium", 1.0);

    public Degradation {
        if (!(segmentSeconds > 0)) {
            throw new IllegalArgumentException("segment length must be positive, got " + segmentSeconds + " s");
        }
    }

    /** The low-resolution stream of {@code truth} at {@code crf}. */
    public DegradedClip apply(GroundTruth truth, int crf) {
        int w = truth.width() / SCALE;
        int h = truth.height() / SCALE;
        List<Image> small = new ArrayList<>(truth.frameCount());
        for (Image frame : truth.frames()) {
            small.add(ImageScaler.bicubic(frame, w, h));
        }
        EncoderSettings settings = new EncoderSettings("libx264", preset, crf);
        List<CutSegment> segments = SegmentCutter.cut(small, truth.frameRate(), segmentSeconds, settings);
        return new DegradedClip(crf, settings, segments, w, h, truth.frameRate().toDouble());
    }
}
