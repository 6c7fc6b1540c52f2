package org.sdatc.enhancer.stream;

import java.util.ArrayList;
import java.util.List;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentEncoder;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.tensor.Image;

/** Real H.264 segments (closed GOPs in MPEG-TS) of a small generated clip, as a live encoder sends them. */
final class TestSegments {
    static final int WIDTH = 64;
    static final int HEIGHT = 48;
    static final int FPS = 10;

    private TestSegments() {}

    /** {@code count} consecutive segments of {@code framesPerSegment} frames each. */
    static List<CutSegment> cut(int count, int framesPerSegment) {
        List<Image> frames = SyntheticClip.generate(WIDTH, HEIGHT, count * framesPerSegment, 7);
        Rational timeBase = Rational.MPEGTS_TIME_BASE;
        long frameTicks = timeBase.den() / ((long) timeBase.num() * FPS);
        SegmentEncoder encoder = new SegmentEncoder();
        List<CutSegment> segments = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            long[] pts = new long[framesPerSegment];
            for (int i = 0; i < framesPerSegment; i++) {
                pts[i] = (s * framesPerSegment + i) * frameTicks;
            }
            byte[] payload = encoder.encode(
                    frames.subList(s * framesPerSegment, (s + 1) * framesPerSegment),
                    pts,
                    timeBase,
                    new Rational(FPS, 1),
                    new EncoderSettings("libx264", "veryfast", 20));
            segments.add(
                    new CutSegment(payload, framesPerSegment, pts[0], timeBase, new Rational(FPS, 1), WIDTH, HEIGHT));
        }
        return segments;
    }

    /** PTS of the clip's frame {@code index} (counted across segments) as {@link #cut} stamps it. */
    static long framePts(long index) {
        return index * (Rational.MPEGTS_TIME_BASE.den() / ((long) Rational.MPEGTS_TIME_BASE.num() * FPS));
    }

    static VideoSegment proto(String streamId, long sequence, CutSegment s) {
        return VideoSegments.of(streamId, sequence, s, null);
    }
}
