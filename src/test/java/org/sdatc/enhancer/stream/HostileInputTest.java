package org.sdatc.enhancer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.media.ContainerFormat;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.DecodedSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.InterlacedClips;
import org.sdatc.enhancer.media.InterlacedInput;
import org.sdatc.enhancer.media.SegmentDecoder;
import org.sdatc.enhancer.media.VideoCodec;
import org.sdatc.enhancer.proto.v1.Codec;
import org.sdatc.enhancer.proto.v1.Container;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.proto.v1.Rational;
import org.sdatc.enhancer.proto.v1.VideoSegment;

/**
 * Inputs that once stopped a stream or the service (issue 11), through the real topology: each is
 * either enhanced or dead-lettered with its own reason, and the stream's next segment still comes
 * out.
 */
class HostileInputTest {
    private static final DecodeLimits LIMITS = new DecodeLimits(960, 540, 600, 8 << 20);
    private static List<CutSegment> segments;
    private static byte[] interlaced;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void makeClips() {
        segments = TestSegments.cut(3, 8);
        // Issue 11's reproduction: 160x92, 25 fps, 1 s, x264 with +ildct+ilme, one GOP, no B frames.
        interlaced = InterlacedClips.mpegts(160, 92, 25);
    }

    @Test
    void anInterlacedSegmentIsDeinterlacedAndEnhancedWithEveryFrameAndTimestamp() {
        try (TopologyHarness h = new TopologyHarness(settings(InterlacedInput.DEINTERLACE), stateDir)) {
            h.send(interlacedSegment("tv", 0));

            EnhancedSegment out = h.output.readValue();
            DecodedSegment in =
                    new SegmentDecoder().decode(interlaced, ContainerFormat.MPEGTS, VideoCodec.H264, LIMITS);
            DecodedSegment enhanced = new SegmentDecoder()
                    .decode(
                            out.getPayload().toByteArray(),
                            ContainerFormat.MPEGTS,
                            VideoCodec.H264,
                            new DecodeLimits(1024, 1024, 100, 64 << 20));
            assertEquals(25, out.getFrameCount());
            assertEquals(25, enhanced.frames().size());
            assertEquals(640, enhanced.width());
            assertEquals(368, enhanced.height());
            assertEquals(List.of(in.pts()[0], in.pts()[24]), List.of(enhanced.pts()[0], enhanced.pts()[24]));
            assertTrue(h.deadLetters.isEmpty(), "nothing dead-lettered");
        }
    }

    @Test
    void withRejectAnInterlacedSegmentIsDeadLetteredAsInterlacedAndTheStreamGoesOn() {
        try (TopologyHarness h = new TopologyHarness(settings(InterlacedInput.REJECT), stateDir)) {
            h.send(interlacedSegment("cam", 0));
            h.send(TestSegments.proto("cam", 1, segments.get(1)));

            DeadLetter letter = h.deadLetters.readValue();
            assertEquals("INTERLACED", letter.getReason());
            assertTrue(
                    letter.getMessage().contains("'cam' segment 0")
                            && letter.getMessage().contains("interlaced"),
                    letter.getMessage());
            assertEquals(List.of(1L), h.outputSequences(), "the next segment is enhanced");
            assertEquals(Map.of(DeadLetterReason.INTERLACED, 1), h.deadLettered);
        }
    }

    private static StreamSettings settings(InterlacedInput policy) {
        return new StreamSettings(
                "in", "out", "dlq", 5, 2, LIMITS, new EncoderSettings("libx264", "veryfast", 18), policy);
    }

    private static VideoSegment interlacedSegment(String stream, long sequence) {
        return VideoSegment.newBuilder()
                .setStreamId(stream)
                .setSequence(sequence)
                .setContainer(Container.CONTAINER_MPEGTS)
                .setCodec(Codec.CODEC_H264)
                .setPayload(ByteString.copyFrom(interlaced))
                .setFrameRate(Rational.newBuilder().setNum(25).setDen(1))
                .setTimeBase(Rational.newBuilder().setNum(1).setDen(90_000))
                .setFrameCount(25)
                .setWidth(160)
                .setHeight(92)
                .build();
    }
}
