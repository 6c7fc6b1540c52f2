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
import org.sdatc.enhancer.media.DecompressionBomb;
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
    private static byte[] bomb;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void makeClips() {
        segments = TestSegments.cut(3, 8);
        // Issue 11's reproduction: 160x92, 25 fps, 1 s, x264 with +ildct+ilme, one GOP, no B frames.
        interlaced = InterlacedClips.mpegts(160, 92, 25);
        // Issue 11's decompression bomb: 600 black frames of 960x540 in one GOP.
        bomb = DecompressionBomb.mpegts(960, 540, 600);
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

    @Test
    void aDeadLetterForARecordJustUnderTheRecordLimitFitsOneRecordAndSaysItsOriginalWasCut() {
        int limit = 16 << 20;
        // The value is 150 bytes under the limit: it can be produced, but a dead letter carrying all of
        // it (plus reason, message and source) could not.
        VideoSegment huge = withValueSize(TestSegments.proto("cam", 0, segments.get(0)), limit - 150);
        try (TopologyHarness h = new TopologyHarness(settings(InterlacedInput.DEINTERLACE, limit), stateDir)) {
            h.send(huge);
            h.send(TestSegments.proto("cam", 1, segments.get(1)));

            DeadLetter letter = h.deadLetters.readValue();
            assertEquals("LIMIT_EXCEEDED", letter.getReason());
            assertFitsOneRecord("cam", letter, limit);
            assertTrue(letter.getOriginalTruncated(), "the dead letter says its original was cut");
            assertEquals(huge.getSerializedSize(), letter.getOriginalSize());
            assertEquals(
                    huge.toByteString().substring(0, letter.getOriginalValue().size()), letter.getOriginalValue());
            assertTrue(letter.getOriginalValue().size() > limit - 64 * 1024, "most of the original is kept");
            assertTrue(
                    letter.getMessage().contains("truncated")
                            && letter.getMessage().contains("in-0@0"),
                    letter.getMessage());
            assertEquals(List.of(1L), h.outputSequences(), "the next segment is enhanced");
        }
    }

    @Test
    void aMalformedRecordJustUnderTheRecordLimitIsDeadLetteredWithinTheLimit() {
        int limit = 16 << 20;
        byte[] garbage = new byte[limit - 150];
        java.util.Arrays.fill(garbage, (byte) 0xff);
        try (TopologyHarness h = new TopologyHarness(settings(InterlacedInput.DEINTERLACE, limit), stateDir)) {
            h.rawInput.pipeInput("cam", garbage);
            h.send(TestSegments.proto("cam", 0, segments.get(0)));

            DeadLetter letter = h.deadLetters.readValue();
            assertEquals("MALFORMED_RECORD", letter.getReason());
            assertFitsOneRecord("cam", letter, limit);
            assertTrue(letter.getOriginalTruncated());
            assertEquals(garbage.length, letter.getOriginalSize());
            assertEquals(List.of(0L), h.outputSequences());
        }
    }

    @Test
    void aSmallDeadLetterKeepsItsWholeOriginal() {
        try (TopologyHarness h = new TopologyHarness(settings(InterlacedInput.DEINTERLACE), stateDir)) {
            VideoSegment bad = TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                    .setFrameCount(9)
                    .build();
            h.send(bad);

            DeadLetter letter = h.deadLetters.readValue();
            assertEquals(bad.toByteString(), letter.getOriginalValue());
            assertEquals(false, letter.getOriginalTruncated());
            assertEquals(bad.getSerializedSize(), letter.getOriginalSize());
        }
    }

    @Test
    void anEnhancedSegmentAboveTheRecordLimitIsDeadLetteredInsteadOfFailingTheProducer() {
        // Lossless output at x4 of 25 frames of 160x92 is several MiB: above a 1 MiB record limit.
        StreamSettings lossless = settings(InterlacedInput.DEINTERLACE, 1 << 20)
                .withEncoder(new EncoderSettings("libx264", "ultrafast", 0));
        try (TopologyHarness h = new TopologyHarness(lossless, stateDir)) {
            h.send(interlacedSegment("tv", 0));

            DeadLetter letter = h.deadLetters.readValue();
            assertEquals("LIMIT_EXCEEDED", letter.getReason());
            assertTrue(letter.getMessage().contains("above the record limit of 1048576"), letter.getMessage());
            assertTrue(h.output.isEmpty());
        }
    }

    @Test
    void aDecompressionBombThatDeclaresItsFramesIsRefusedFromItsHeaderBeforeDecoding() {
        // A test-sized budget: 100 frames of 960x540. The bomb declares 600.
        try (TopologyHarness h = new TopologyHarness(bombSettings(960L * 540 * 100), stateDir)) {
            long start = System.nanoTime();
            h.send(bombSegment("cam", 0, 600));
            long millis = (System.nanoTime() - start) / 1_000_000;
            h.send(TestSegments.proto("cam", 1, segments.get(1)));

            DeadLetter letter = h.deadLetters.readValue();
            assertEquals("LIMIT_EXCEEDED", letter.getReason());
            assertTrue(
                    letter.getMessage().contains("declares 600 frames of 960x540 = 311040000 decoded pixels")
                            && letter.getMessage().contains("above the limit of 51840000"),
                    letter.getMessage());
            assertTrue(millis < 5_000, "refused in " + millis + " ms, without decoding 600 frames");
            assertEquals(List.of(1L), h.outputSequences(), "the next segment is enhanced");
        }
    }

    @Test
    void aDecompressionBombWithoutAFrameCountIsStoppedAtThePixelBudgetWhileDecoding() {
        // Without a declared count the budget is met while decoding (and enhancing: frames stream),
        // so the test budget is small: 10 frames.
        try (TopologyHarness h = new TopologyHarness(bombSettings(960L * 540 * 10), stateDir)) {
            h.send(bombSegment("cam", 0, 0));
            h.send(TestSegments.proto("cam", 1, segments.get(1)));

            DeadLetter letter = h.deadLetters.readValue();
            assertEquals("LIMIT_EXCEEDED", letter.getReason());
            assertTrue(
                    letter.getMessage().contains("more than 5184000 pixels")
                            && letter.getMessage().contains("at frame 10 "),
                    letter.getMessage());
            assertEquals(List.of(1L), h.outputSequences(), "the next segment is enhanced");
        }
    }

    @Test
    void aSegmentWhoseTimestampsGoBackwardsIsDeadLetteredInsteadOfFailingTheEncoder() {
        // Frame 3 stamped with frame 1's time: once an IllegalArgumentException in the encoder.
        byte[] payload = segments.get(0).payload();
        byte[] stepBack = withPts(payload, 3, TestSegments.framePts(1));
        try (TopologyHarness h = new TopologyHarness(settings(InterlacedInput.DEINTERLACE), stateDir)) {
            h.send(TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                    .setPayload(ByteString.copyFrom(stepBack))
                    .build());
            h.send(TestSegments.proto("cam", 1, segments.get(1)));

            DeadLetter letter = h.deadLetters.readValue();
            assertEquals("BAD_TIMESTAMPS", letter.getReason());
            assertTrue(
                    letter.getMessage().contains("'cam' segment 0")
                            && letter.getMessage().contains("frame 3 has PTS " + TestSegments.framePts(1))
                            && letter.getMessage().contains("timestamps must be non-negative and increase"),
                    letter.getMessage());
            assertEquals(List.of(1L), h.outputSequences(), "the next segment is enhanced");
        }
    }

    /**
     * The MPEG-TS payload with the PTS of its {@code index}-th video PES packet (frame, in this
     * B-frame-free stream) set to {@code pts}: the 5 PTS bytes of the PES header are rewritten in
     * place, so continuity counters and sizes stay valid.
     */
    private static byte[] withPts(byte[] ts, int index, long pts) {
        byte[] out = ts.clone();
        int seen = 0;
        for (int p = 0; p + 188 <= out.length; p += 188) {
            boolean start = (out[p + 1] & 0x40) != 0;
            int control = (out[p + 3] >> 4) & 3;
            int payload = p + 4 + (control == 3 ? 1 + (out[p + 4] & 0xff) : 0);
            if (!start || control == 2 || payload + 14 > p + 188) {
                continue;
            }
            boolean videoPes = out[payload] == 0
                    && out[payload + 1] == 0
                    && out[payload + 2] == 1
                    && (out[payload + 3] & 0xf0) == 0xe0;
            if (!videoPes) {
                continue;
            }
            if (seen++ == index) {
                int flags = (out[payload + 7] >> 6) & 3;
                int at = payload + 9;
                out[at] = (byte) ((flags == 3 ? 0x30 : 0x20) | (((pts >> 30) & 7) << 1) | 1);
                out[at + 1] = (byte) (pts >> 22);
                out[at + 2] = (byte) ((((pts >> 15) & 0x7f) << 1) | 1);
                out[at + 3] = (byte) (pts >> 7);
                out[at + 4] = (byte) (((pts & 0x7f) << 1) | 1);
                return out;
            }
        }
        throw new IllegalArgumentException("no video PES packet " + index);
    }

    private static StreamSettings bombSettings(long maxPixels) {
        return settings(InterlacedInput.DEINTERLACE).withLimits(new DecodeLimits(960, 540, 600, 8 << 20, maxPixels));
    }

    private static VideoSegment bombSegment(String stream, long sequence, int declaredFrames) {
        return VideoSegment.newBuilder()
                .setStreamId(stream)
                .setSequence(sequence)
                .setContainer(Container.CONTAINER_MPEGTS)
                .setCodec(Codec.CODEC_H264)
                .setPayload(ByteString.copyFrom(bomb))
                .setFrameRate(Rational.newBuilder().setNum(25).setDen(1))
                .setTimeBase(Rational.newBuilder().setNum(1).setDen(90_000))
                .setFrameCount(declaredFrames)
                .setWidth(960)
                .setHeight(540)
                .build();
    }

    /** What the producer checks before sending (key, value, no headers, lz4): at most the limit. */
    private static void assertFitsOneRecord(String key, DeadLetter letter, int limit) {
        int size = org.apache.kafka.common.record.internal.AbstractRecords.estimateSizeInBytesUpperBound(
                org.apache.kafka.common.record.internal.RecordBatch.CURRENT_MAGIC_VALUE,
                org.apache.kafka.common.compress.Compression.lz4().build().type(),
                java.nio.ByteBuffer.wrap(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                java.nio.ByteBuffer.wrap(letter.toByteArray()),
                new org.apache.kafka.common.header.Header[0]);
        assertTrue(size <= limit, "a record of " + size + " bytes is above the limit of " + limit);
    }

    /** The segment with its payload padded (zero bytes) so the whole value is {@code bytes} long. */
    private static VideoSegment withValueSize(VideoSegment segment, int bytes) {
        int payload =
                bytes - (segment.getSerializedSize() - segment.getPayload().size()) - 8;
        VideoSegment v = segment.toBuilder()
                .setPayload(ByteString.copyFrom(new byte[payload]))
                .build();
        // The payload's length prefix grew with it: take the difference off again.
        return v.toBuilder()
                .setPayload(ByteString.copyFrom(new byte[payload - (v.getSerializedSize() - bytes)]))
                .build();
    }

    private static StreamSettings settings(InterlacedInput policy) {
        return settings(policy, StreamSettings.DEFAULT_MAX_RECORD_BYTES);
    }

    private static StreamSettings settings(InterlacedInput policy, int maxRecordBytes) {
        return new StreamSettings("in", "out", "dlq", 5, 2, LIMITS, new EncoderSettings("libx264", "veryfast", 18))
                .withInterlaced(policy)
                .withMaxRecordBytes(maxRecordBytes);
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
