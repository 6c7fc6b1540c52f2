package org.sdatc.enhancer.stream;

import com.google.protobuf.ByteString;
import java.util.List;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.proto.v1.Codec;
import org.sdatc.enhancer.proto.v1.Container;
import org.sdatc.enhancer.proto.v1.VideoSegment;

/** Real H.264 segments of a small generated clip, as a live encoder would send them. */
final class TestSegments {
    static final int WIDTH = 64;
    static final int HEIGHT = 48;
    static final int FPS = 10;

    private TestSegments() {}

    /** {@code count} consecutive segments of {@code framesPerSegment} frames each. */
    static List<CutSegment> cut(int count, int framesPerSegment) {
        var frames = SyntheticClip.generate(WIDTH, HEIGHT, count * framesPerSegment, 7);
        List<CutSegment> segments = SegmentCutter.cut(
                frames, new Rational(FPS, 1), framesPerSegment / (double) FPS, new EncoderSettings("libx264", "veryfast", 20));
        if (segments.size() != count) {
            throw new IllegalStateException("cutter made " + segments.size() + " segments, expected " + count);
        }
        return segments;
    }

    static VideoSegment proto(String streamId, long sequence, CutSegment s) {
        return VideoSegment.newBuilder()
                .setStreamId(streamId)
                .setSequence(sequence)
                .setContainer(Container.CONTAINER_MPEGTS)
                .setCodec(Codec.CODEC_H264)
                .setPayload(ByteString.copyFrom(s.payload()))
                .setFrameRate(org.sdatc.enhancer.proto.v1.Rational.newBuilder()
                        .setNum(s.frameRate().num())
                        .setDen(s.frameRate().den()))
                .setTimeBase(org.sdatc.enhancer.proto.v1.Rational.newBuilder()
                        .setNum(s.timeBase().num())
                        .setDen(s.timeBase().den()))
                .setFirstPts(s.firstPts())
                .setFrameCount(s.frameCount())
                .setWidth(s.width())
                .setHeight(s.height())
                .setProducerTimestampUs(System.currentTimeMillis() * 1000)
                .build();
    }
}
