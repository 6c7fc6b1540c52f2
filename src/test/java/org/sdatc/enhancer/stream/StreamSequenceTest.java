package org.sdatc.enhancer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.proto.v1.DeadLetter;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.slf4j.LoggerFactory;

/**
 * Sequence numbers cannot silence a stream (issue 11, defect 4): producers restart through the
 * epoch, an implausible jump is dead-lettered without moving the stream, skipped duplicates are
 * counted and logged, and timestamps that go backwards are noticed.
 */
class StreamSequenceTest {
    private static List<CutSegment> segments;

    @TempDir
    Path stateDir;

    private TopologyHarness h;
    private ListAppender<ILoggingEvent> logs;
    private Logger processorLog;
    private Level savedLevel;

    @BeforeAll
    static void cut() {
        segments = TestSegments.cut(4, 6);
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
                        new EncoderSettings("libx264", "veryfast", 18))
                .withMaxSequenceJump(1000);
        h = new TopologyHarness(settings, stateDir);
        processorLog = (Logger) LoggerFactory.getLogger(SegmentProcessor.class);
        savedLevel = processorLog.getLevel();
        processorLog.setLevel(Level.DEBUG);
        logs = new ListAppender<>();
        logs.start();
        processorLog.addAppender(logs);
    }

    @AfterEach
    void stop() {
        processorLog.detachAppender(logs);
        processorLog.setLevel(savedLevel);
        h.close();
    }

    @Test
    void aProducerThatRestartsAtSequenceZeroWithAHigherEpochIsFollowed() {
        h.send(segment(0, 0, 0));
        h.send(segment(0, 1, 1));
        h.send(segment(0, 2, 2));
        // The encoder restarts: numbering from 0 again, with a new epoch (its start time, say).
        h.send(segment(1_700_000_000_000L, 0, 2));
        h.send(segment(1_700_000_000_000L, 1, 3));

        List<EnhancedSegment> out = h.output.readValuesToList();
        assertEquals(
                List.of(0L, 1L, 2L, 0L, 1L),
                out.stream().map(EnhancedSegment::getSequence).toList());
        assertFalse(out.get(3).getContinuous(), "a new session starts without the old session's context");
        assertTrue(out.get(4).getContinuous(), "and continues within itself");
        assertEquals(
                List.of(0L, 0L, 0L, 1_700_000_000_000L, 1_700_000_000_000L),
                out.stream().map(EnhancedSegment::getEpoch).toList(),
                "a consumer tells the two sessions' sequence 0 apart by epoch");
        assertEquals(List.of("restart"), h.events);
    }

    @Test
    void withoutANewEpochARestartAtZeroIsSkippedVisiblyAndWarnedAboutAfterTen() {
        h.send(segment(0, 40, 0));
        for (int i = 0; i < 10; i++) {
            h.send(segment(0, i, i % 4));
        }

        assertEquals(List.of(40L), h.outputSequences());
        assertEquals(10, h.events.stream().filter("duplicate"::equals).count(), "every skip is counted");
        assertTrue(
                logged(Level.DEBUG, "stream=cam epoch=0 seq=3 skipped as a duplicate: the stream is at epoch 0 seq 40"),
                "each skip is logged naming stream and sequence");
        assertTrue(
                logged(Level.WARN, "stream=cam: 10 segments in a row skipped as duplicates")
                        && logged(Level.WARN, "must raise VideoSegment.epoch"),
                "a stream stuck behind its own sequence number is warned about");
    }

    @Test
    void aLateSegmentFromAnEarlierEpochIsSkippedAsADuplicate() {
        h.send(segment(7, 0, 0));
        h.send(segment(6, 5, 1));
        h.send(segment(7, 1, 1));

        assertEquals(List.of(0L, 1L), h.outputSequences());
        assertEquals(List.of("duplicate"), h.events);
        assertTrue(logged(Level.DEBUG, "stream=cam epoch=6 seq=5 skipped as from an earlier epoch"));
    }

    @Test
    void anImplausibleJumpIsDeadLetteredWithoutMovingTheStream() {
        h.send(segment(0, 0, 0));
        h.send(segment(0, 1_000_000, 1));
        h.send(segment(0, Long.MAX_VALUE, 1));
        h.send(segment(0, 1, 1));
        h.send(segment(0, 2, 2));

        List<DeadLetter> letters = h.deadLetters.readValuesToList();
        assertEquals(
                List.of("SEQUENCE_JUMP", "SEQUENCE_JUMP"),
                letters.stream().map(DeadLetter::getReason).toList());
        assertEquals(
                List.of(1_000_000L, Long.MAX_VALUE),
                letters.stream().map(DeadLetter::getSequence).toList());
        assertTrue(
                letters.get(0)
                                .getMessage()
                                .startsWith("stream 'cam' segment 1000000: sequence 1000000 is 1000000"
                                        + " ahead of the stream's last sequence 0")
                        && letters.get(0).getMessage().contains("sdatc.sequence.max.jump = 1000"),
                letters.get(0).getMessage());
        List<EnhancedSegment> out = h.output.readValuesToList();
        assertEquals(
                List.of(0L, 1L, 2L),
                out.stream().map(EnhancedSegment::getSequence).toList());
        assertTrue(out.get(1).getContinuous(), "the stream went on as if the bad numbers never came");
        assertEquals(Map.of(DeadLetterReason.SEQUENCE_JUMP, 2), h.deadLettered);
    }

    @Test
    void aJumpConfirmedByItsSuccessorIsARealRenumbering() {
        h.send(segment(0, 0, 0));
        h.send(segment(0, 50_000, 1));
        h.send(segment(0, 50_001, 2));
        h.send(segment(0, 50_002, 3));

        assertEquals(
                List.of(50_000L),
                h.deadLetters.readValuesToList().stream()
                        .map(DeadLetter::getSequence)
                        .toList());
        List<EnhancedSegment> out = h.output.readValuesToList();
        assertEquals(
                List.of(0L, 50_001L, 50_002L),
                out.stream().map(EnhancedSegment::getSequence).toList());
        assertFalse(out.get(1).getContinuous(), "the renumbering is a gap");
        assertTrue(logged(Level.INFO, "confirmed by this successor of the dead-lettered seq 50000"));
    }

    @Test
    void timestampsThatGoBackwardsAreNoticedAndTheSegmentIsEnhancedWithoutContext() {
        h.send(segment(0, 0, 2));
        // The next sequence number, but its frames are stamped earlier than the previous segment's.
        h.send(segment(0, 1, 0));
        h.send(segment(0, 2, 1));

        List<EnhancedSegment> out = h.output.readValuesToList();
        assertEquals(3, out.size(), "no segment is lost");
        assertFalse(out.get(1).getContinuous(), "no temporal context across a step back in time");
        assertEquals(segments.get(0).firstPts(), out.get(1).getFirstPts(), "the segment keeps its own timestamps");
        assertEquals(List.of("pts-backwards"), h.events);
        assertTrue(logged(Level.WARN, "stream=cam seq=1: first PTS 0 is not after the previous segment's last PTS"));
    }

    @Test
    void theMpegTsClockWrappingAroundIsNotAStepBack() {
        long max = 1L << 33;
        assertFalse(
                SegmentProcessor.wentBackwards(max - 3600, 0, org.sdatc.enhancer.proto.v1.Container.CONTAINER_MPEGTS));
        assertTrue(SegmentProcessor.wentBackwards(90_000, 0, org.sdatc.enhancer.proto.v1.Container.CONTAINER_MPEGTS));
        assertTrue(SegmentProcessor.wentBackwards(max - 3600, 0, org.sdatc.enhancer.proto.v1.Container.CONTAINER_FMP4));
    }

    /** Segment {@code content} of the test clip as (epoch, sequence) of stream "cam". */
    private static VideoSegment segment(long epoch, long sequence, int content) {
        return TestSegments.proto("cam", sequence, segments.get(content)).toBuilder()
                .setEpoch(epoch)
                .build();
    }

    private boolean logged(Level level, String text) {
        return logs.list.stream()
                .anyMatch(e -> e.getLevel() == level && e.getFormattedMessage().contains(text));
    }
}
