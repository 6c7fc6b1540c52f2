package org.sdatc.enhancer.eval;

import java.util.List;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;

/**
 * One clip's low-resolution live stream at one CRF: its segments (H.264 in MPEG-TS, one closed GOP
 * each), as the service would receive them.
 */
public record DegradedClip(
        int crf, EncoderSettings encoder, List<CutSegment> segments, int width, int height, double fps) {
    public DegradedClip {
        segments = List.copyOf(segments);
    }

    public int frameCount() {
        return segments.stream().mapToInt(CutSegment::frameCount).sum();
    }

    public int gopFrames() {
        return segments.get(0).frameCount();
    }

    /** Video bitrate of the segments' payloads (MPEG-TS overhead included), in kbit/s. */
    public double kbps() {
        long bytes = segments.stream().mapToLong(s -> s.payload().length).sum();
        return bytes * 8.0 / 1000.0 / (frameCount() / fps);
    }
}
