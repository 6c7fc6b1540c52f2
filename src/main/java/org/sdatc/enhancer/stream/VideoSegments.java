package org.sdatc.enhancer.stream;

import com.google.protobuf.ByteString;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.proto.v1.Codec;
import org.sdatc.enhancer.proto.v1.Container;
import org.sdatc.enhancer.proto.v1.EncoderHints;
import org.sdatc.enhancer.proto.v1.VideoSegment;

/** Builds wire-format values from media values, in one place for producers and the processor. */
public final class VideoSegments {
    private VideoSegments() {}

    /**
     * The {@code VideoSegment} for one cut segment (H.264 in MPEG-TS), stamped with the current time
     * as producer timestamp.
     *
     * @param crf the encoder's CRF as a compression hint, or null for none
     */
    public static VideoSegment of(String streamId, long sequence, CutSegment s, Integer crf) {
        return of(streamId, 0, sequence, s, crf);
    }

    /** As {@link #of(String, long, CutSegment, Integer)}, in producer session {@code epoch}. */
    public static VideoSegment of(String streamId, long epoch, long sequence, CutSegment s, Integer crf) {
        VideoSegment.Builder b = VideoSegment.newBuilder()
                .setStreamId(streamId)
                .setEpoch(epoch)
                .setSequence(sequence)
                .setContainer(Container.CONTAINER_MPEGTS)
                .setCodec(Codec.CODEC_H264)
                .setPayload(ByteString.copyFrom(s.payload()))
                .setFrameRate(rational(s.frameRate()))
                .setTimeBase(rational(s.timeBase()))
                .setFirstPts(s.firstPts())
                .setFrameCount(s.frameCount())
                .setWidth(s.width())
                .setHeight(s.height())
                .setProducerTimestampUs(System.currentTimeMillis() * 1000);
        if (crf != null) {
            b.setEncoderHints(EncoderHints.newBuilder().setCrf(crf));
        }
        return b.build();
    }

    public static org.sdatc.enhancer.proto.v1.Rational rational(Rational r) {
        return org.sdatc.enhancer.proto.v1.Rational.newBuilder()
                .setNum(r.num())
                .setDen(r.den())
                .build();
    }
}
