package org.sdatc.enhancer.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.media.ContainerFormat;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.DecodedSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentDecoder;
import org.sdatc.enhancer.media.SegmentEncoder;
import org.sdatc.enhancer.media.VideoCodec;
import org.sdatc.enhancer.proto.v1.Codec;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.stream.serde.Serdes;
import org.sdatc.enhancer.tensor.Image;

/** The topology on Kafka's TopologyTestDriver with real H.264 segments and the bicubic enhancer. */
class SegmentProcessorTest {
    private static final int FRAMES_PER_SEGMENT = 8;
    private static List<CutSegment> segments;

    @TempDir
    Path stateDir;

    private final List<WindowInput> windows = Collections.synchronizedList(new ArrayList<>());
    private final Map<DeadLetterReason, Integer> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private int duplicates;
    private int gaps;
    private TopologyTestDriver driver;
    private TestInputTopic<String, VideoSegment> input;
    private TestInputTopic<String, byte[]> rawInput;
    private TestOutputTopic<String, EnhancedSegment> output;
    private TestOutputTopic<String, DeadLetter> deadLetterTopic;

    @BeforeAll
    static void cutClip() {
        segments = TestSegments.cut(4, FRAMES_PER_SEGMENT);
    }

    @BeforeEach
    void start() {
        StreamSettings settings = new StreamSettings(
                "in",
                "out",
                "dlq",
                5,
                2,
                new DecodeLimits(128, 96, 40, 1 << 20),
                new EncoderSettings("libx264", "veryfast", 18));
        SegmentEvents events = new SegmentEvents() {
            @Override
            public void duplicateSkipped() {
                duplicates++;
            }

            @Override
            public void gap() {
                gaps++;
            }

            @Override
            public void deadLettered(DeadLetterReason reason) {
                deadLetters.merge(reason, 1, Integer::sum);
            }
        };
        Properties props = StreamsProperties.of(
                "test",
                "dummy:9092",
                stateDir.toString(),
                java.time.Duration.ofSeconds(30),
                8 << 20,
                settings,
                events,
                null, // dynamic membership
                Map.of());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        driver = new TopologyTestDriver(EnhancerTopology.build(settings, new WindowRecorder(), events), props);
        input = driver.createInputTopic(
                "in", new StringSerializer(), Serdes.videoSegment().serializer());
        rawInput = driver.createInputTopic("in", new StringSerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic(
                "out", new StringDeserializer(), Serdes.enhancedSegment().deserializer());
        deadLetterTopic = driver.createOutputTopic(
                "dlq", new StringDeserializer(), Serdes.deadLetter().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void everySegmentComesOutFourTimesLargerWithItsFramesAndTimestamps() {
        for (int i = 0; i < 3; i++) {
            input.pipeInput("cam", TestSegments.proto("cam", i, segments.get(i)));
        }

        List<EnhancedSegment> out = output.readValuesToList();
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) {
            EnhancedSegment e = out.get(i);
            DecodedSegment in = decode(segments.get(i).payload());
            DecodedSegment enhanced = decode(e.getPayload().toByteArray(), new DecodeLimits(1024, 1024, 100, 64 << 20));
            assertEquals(i, e.getSequence());
            assertEquals(FRAMES_PER_SEGMENT, e.getFrameCount());
            assertEquals(FRAMES_PER_SEGMENT, enhanced.frames().size());
            assertEquals(4 * TestSegments.WIDTH, enhanced.width());
            assertEquals(4 * TestSegments.HEIGHT, enhanced.height());
            assertArrayEquals(in.pts(), enhanced.pts(), "output frames keep the input's timestamps");
            assertEquals(in.pts()[0], e.getFirstPts());
            assertEquals("bicubic", e.getModel());
            assertEquals(i > 0, e.getContinuous());
            assertFalse(e.getStageTimingsList().isEmpty());
        }
    }

    @Test
    void theFirstWindowOfASegmentTakesLeftContextFromThePreviousSegment() {
        input.pipeInput("cam", TestSegments.proto("cam", 0, segments.get(0)));
        int firstSegmentWindows = windows.size();
        input.pipeInput("cam", TestSegments.proto("cam", 1, segments.get(1)));

        List<Image> previous = decode(segments.get(0).payload()).frames();
        List<Image> current = decode(segments.get(1).payload()).frames();
        WindowInput boundary = windows.get(firstSegmentWindows);
        assertEquals(5, boundary.frames().size());
        assertEquals(2, boundary.emitStart(), "two frames of left context");
        assertSameFrame(previous.get(FRAMES_PER_SEGMENT - 2), boundary.frames().get(0));
        assertSameFrame(previous.get(FRAMES_PER_SEGMENT - 1), boundary.frames().get(1));
        assertSameFrame(current.get(0), boundary.frames().get(2));
        int emitted = windows.subList(firstSegmentWindows, windows.size()).stream()
                .mapToInt(WindowInput::emitCount)
                .sum();
        assertEquals(FRAMES_PER_SEGMENT, emitted, "each frame of the segment is enhanced exactly once");
    }

    @Test
    void duplicateAndOlderSegmentsAreSkippedAndCounted() {
        input.pipeInput("cam", TestSegments.proto("cam", 0, segments.get(0)));
        input.pipeInput("cam", TestSegments.proto("cam", 1, segments.get(1)));
        input.pipeInput("cam", TestSegments.proto("cam", 1, segments.get(1)));
        input.pipeInput("cam", TestSegments.proto("cam", 0, segments.get(0)));

        assertEquals(
                List.of(0L, 1L),
                output.readValuesToList().stream()
                        .map(EnhancedSegment::getSequence)
                        .toList());
        assertEquals(2, duplicates);
    }

    @Test
    void aGapResetsTheStreamsTemporalStateAndProcessingContinues() {
        input.pipeInput("cam", TestSegments.proto("cam", 0, segments.get(0)));
        int before = windows.size();
        input.pipeInput("cam", TestSegments.proto("cam", 2, segments.get(2)));

        List<EnhancedSegment> out = output.readValuesToList();
        assertEquals(2, out.size());
        assertFalse(out.get(1).getContinuous());
        assertEquals(1, gaps);
        WindowInput first = windows.get(before);
        assertEquals(0, first.emitStart(), "no left context across a gap");
        assertSameFrame(
                decode(segments.get(2).payload()).frames().get(0),
                first.frames().get(0));
    }

    @Test
    void streamsKeepSeparateState() {
        input.pipeInput("a", TestSegments.proto("a", 0, segments.get(0)));
        input.pipeInput("b", TestSegments.proto("b", 5, segments.get(1)));
        input.pipeInput("a", TestSegments.proto("a", 1, segments.get(1)));

        List<EnhancedSegment> out = output.readValuesToList();
        assertEquals(3, out.size());
        assertTrue(out.get(2).getContinuous(), "stream a continues even though b came in between");
        assertEquals(0, gaps);
    }

    @Test
    void aRecordThatIsNotAVideoSegmentIsDeadLetteredAndTheStreamGoesOn() {
        rawInput.pipeInput("cam", new byte[] {(byte) 0xff, 0x01, 0x02, 0x03});
        input.pipeInput("cam", TestSegments.proto("cam", 0, segments.get(0)));

        DeadLetter letter = deadLetterTopic.readValue();
        assertEquals(DeadLetterReason.MALFORMED_RECORD.name(), letter.getReason());
        assertTrue(letter.getMessage().contains("cam"), letter.getMessage());
        assertEquals(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01, 0x02, 0x03}), letter.getOriginalValue());
        assertEquals(1, output.readValuesToList().size());
        assertEquals(Map.of(DeadLetterReason.MALFORMED_RECORD, 1), deadLetters);
    }

    @Test
    void undecodablePayloadIsDeadLetteredNamingStreamAndSequence() {
        VideoSegment garbage = TestSegments.proto("cam", 3, segments.get(0)).toBuilder()
                .setPayload(ByteString.copyFrom(new java.util.Random(1)
                        .ints(5000, 0, 256)
                        .collect(java.io.ByteArrayOutputStream::new, (b, v) -> b.write(v), (a, b) -> {})
                        .toByteArray()))
                .build();
        input.pipeInput("cam", garbage);

        DeadLetter letter = deadLetterTopic.readValue();
        assertTrue(
                letter.getReason().equals("UNDECODABLE") || letter.getReason().equals("UNSUPPORTED_FORMAT"),
                letter.getReason());
        assertTrue(
                letter.getMessage().contains("'cam'") && letter.getMessage().contains("segment 3"),
                letter.getMessage());
        assertEquals(3, letter.getSequence());
        assertNextValidSegmentIsProcessed(4);
    }

    @Test
    void truncatedPayloadIsDeadLettered() {
        byte[] payload = segments.get(0).payload();
        VideoSegment truncated = TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                .setPayload(ByteString.copyFrom(payload, 0, payload.length / 3))
                .build();
        input.pipeInput("cam", truncated);

        DeadLetter letter = deadLetterTopic.readValue();
        assertTrue(
                List.of("UNDECODABLE", "FRAME_COUNT_MISMATCH", "NO_FRAMES").contains(letter.getReason()),
                letter.getReason());
        assertNextValidSegmentIsProcessed(1);
    }

    @Test
    void unknownCodecIsDeadLettered() {
        input.pipeInput(
                "cam",
                TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                        .setCodec(Codec.CODEC_UNSPECIFIED)
                        .build());

        assertEquals("UNSUPPORTED_FORMAT", deadLetterTopic.readValue().getReason());
        assertNextValidSegmentIsProcessed(1);
    }

    @Test
    void declaredCodecThatDoesNotMatchThePayloadIsDeadLettered() {
        input.pipeInput(
                "cam",
                TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                        .setCodec(Codec.CODEC_HEVC)
                        .build());

        assertEquals("UNSUPPORTED_FORMAT", deadLetterTopic.readValue().getReason());
        assertNextValidSegmentIsProcessed(1);
    }

    @Test
    void aPayloadWithoutFramesIsDeadLettered() throws Exception {
        // A valid MPEG-TS whose program declares H.264 video but carries only audio packets.
        java.io.ByteArrayOutputStream ts = new java.io.ByteArrayOutputStream();
        try (org.bytedeco.javacv.FFmpegFrameRecorder recorder =
                new org.bytedeco.javacv.FFmpegFrameRecorder(ts, 160, 96, 1)) {
            recorder.setFormat("mpegts");
            recorder.setVideoCodec(org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264);
            recorder.setAudioCodec(org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MP2);
            recorder.setSampleRate(48_000);
            recorder.start();
            recorder.recordSamples(java.nio.ShortBuffer.wrap(new short[48_000]));
            recorder.stop();
        }
        input.pipeInput(
                "cam",
                TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                        .setPayload(ByteString.copyFrom(ts.toByteArray()))
                        .setFrameCount(0)
                        .build());

        DeadLetter letter = deadLetterTopic.readValue();
        assertEquals("NO_FRAMES", letter.getReason());
        assertTrue(letter.getMessage().contains("no video frames"), letter.getMessage());
        assertNextValidSegmentIsProcessed(1);
    }

    @Test
    void oversizeDimensionsAreRejectedBeforeDecoding() {
        List<Image> big = org.sdatc.enhancer.media.SyntheticClip.generate(256, 144, 3, 1);
        long[] pts = {0, 9000, 18000};
        byte[] payload = new SegmentEncoder()
                .encode(big, pts, Rational.MPEGTS_TIME_BASE, new Rational(10, 1), EncoderSettings.defaults());
        input.pipeInput(
                "cam",
                TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                        .setPayload(ByteString.copyFrom(payload))
                        .setFrameCount(3)
                        .build());

        DeadLetter letter = deadLetterTopic.readValue();
        assertEquals("LIMIT_EXCEEDED", letter.getReason());
        assertTrue(letter.getMessage().contains("256"), letter.getMessage());
        assertNextValidSegmentIsProcessed(1);
    }

    @Test
    void tooManyDeclaredFramesAndTooLargePayloadsAreDeadLettered() {
        input.pipeInput(
                "cam",
                TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                        .setFrameCount(41)
                        .build());
        input.pipeInput(
                "cam",
                TestSegments.proto("cam", 1, segments.get(0)).toBuilder()
                        .setPayload(ByteString.copyFrom(new byte[(1 << 20) + 1]))
                        .build());

        List<DeadLetter> letters = deadLetterTopic.readValuesToList();
        assertEquals(
                List.of("INVALID_SEGMENT", "LIMIT_EXCEEDED"),
                letters.stream().map(DeadLetter::getReason).toList());
        assertNextValidSegmentIsProcessed(2);
    }

    @Test
    void aFrameCountThatDoesNotMatchThePayloadIsDeadLettered() {
        input.pipeInput(
                "cam",
                TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                        .setFrameCount(FRAMES_PER_SEGMENT + 1)
                        .build());

        assertEquals("FRAME_COUNT_MISMATCH", deadLetterTopic.readValue().getReason());
        assertNextValidSegmentIsProcessed(1);
    }

    @Test
    void aNegativeFrameCountIsDeadLetteredInsteadOfBeingTakenAsUndeclared() {
        input.pipeInput(
                "cam",
                TestSegments.proto("cam", 0, segments.get(0)).toBuilder()
                        .setFrameCount(-FRAMES_PER_SEGMENT)
                        .build());

        DeadLetter letter = deadLetterTopic.readValue();
        assertEquals("INVALID_SEGMENT", letter.getReason());
        assertTrue(
                letter.getMessage().contains("frame_count -" + FRAMES_PER_SEGMENT + " is negative"),
                letter.getMessage());
        assertNextValidSegmentIsProcessed(1);
    }

    @Test
    void aRecordKeyedByAnotherStreamIsDeadLettered() {
        input.pipeInput("other", TestSegments.proto("cam", 0, segments.get(0)));

        DeadLetter letter = deadLetterTopic.readValue();
        assertEquals("INVALID_SEGMENT", letter.getReason());
        assertTrue(letter.getMessage().contains("keyed by stream id"), letter.getMessage());
    }

    @Test
    void aRecordWithoutKeyIsDeadLettered() {
        input.pipeInput((String) null, TestSegments.proto("cam", 0, segments.get(0)));

        DeadLetter letter = deadLetterTopic.readValue();
        assertEquals("INVALID_SEGMENT", letter.getReason());
        assertTrue(letter.getMessage().contains("no key"), letter.getMessage());
        assertNextValidSegmentIsProcessed(0);
    }

    @Test
    void anEnhancerThatWantsMotionVectorsGetsTheDecodersMotionForTheSegmentsFrames() {
        List<WindowInput> seen = new ArrayList<>();
        BicubicEnhancer bicubic = new BicubicEnhancer(4);
        Enhancer motionHungry = new Enhancer() {
            @Override
            public EnhancerInfo info() {
                return bicubic.info();
            }

            @Override
            public boolean wantsMotionVectors() {
                return true;
            }

            @Override
            public WindowOutput enhance(WindowInput in) {
                seen.add(in);
                return bicubic.enhance(in);
            }
        };
        StreamSettings settings = new StreamSettings(
                "in", "out", "dlq", 5, 2, new DecodeLimits(128, 96, 40, 1 << 20), EncoderSettings.defaults());
        Properties props = StreamsProperties.of(
                "motion",
                "dummy:9092",
                stateDir.resolve("motion").toString(),
                java.time.Duration.ofSeconds(30),
                8 << 20,
                settings,
                SegmentEvents.NONE,
                null, // dynamic membership
                Map.of());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        try (TopologyTestDriver motionDriver =
                new TopologyTestDriver(EnhancerTopology.build(settings, motionHungry, SegmentEvents.NONE), props)) {
            TestInputTopic<String, VideoSegment> in = motionDriver.createInputTopic(
                    "in", new StringSerializer(), Serdes.videoSegment().serializer());
            in.pipeInput("cam", TestSegments.proto("cam", 0, segments.get(0)));
        }

        assertFalse(seen.isEmpty());
        WindowInput first = seen.get(0);
        assertTrue(first.motion() != null, "the window carries motion entries");
        assertEquals(first.frames().size(), first.motion().size());
        // Inter frames of a panning clip carry vectors; the keyframe does not.
        assertTrue(first.motion().get(0) == null, "the segment's first frame is a keyframe: no motion");
        assertTrue(first.motion().subList(1, 5).stream().anyMatch(m -> m != null), "inter frames have motion");
        assertTrue(windows.isEmpty(), "the default enhancer was not involved");
    }

    private void assertNextValidSegmentIsProcessed(long sequence) {
        input.pipeInput("cam", TestSegments.proto("cam", sequence, segments.get(1)));
        List<EnhancedSegment> out = output.readValuesToList();
        assertEquals(1, out.size(), "the next valid segment is enhanced");
        assertEquals(sequence, out.get(0).getSequence());
        assertTrue(deadLetterTopic.isEmpty(), "no further dead letters");
        assertFalse(deadLetters.isEmpty(), "the dead letter was counted");
    }

    private static DecodedSegment decode(byte[] payload) {
        return decode(payload, DecodeLimits.defaults());
    }

    private static DecodedSegment decode(byte[] payload, DecodeLimits limits) {
        return new SegmentDecoder().decode(payload, ContainerFormat.MPEGTS, VideoCodec.H264, limits);
    }

    private static void assertSameFrame(Image expected, Image actual) {
        assertEquals(expected.width(), actual.width());
        assertArrayEquals(expected.rgb(), actual.rgb());
    }

    /** The bicubic enhancer, remembering which windows the processor formed. */
    private final class WindowRecorder implements Enhancer {
        private final BicubicEnhancer bicubic = new BicubicEnhancer(4);

        @Override
        public EnhancerInfo info() {
            return bicubic.info();
        }

        @Override
        public WindowOutput enhance(WindowInput in) {
            windows.add(in);
            return bicubic.enhance(in);
        }
    }
}
