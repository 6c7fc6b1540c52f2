package org.sdatc.enhancer.stream;

import org.sdatc.enhancer.engine.StageTimings;
import org.sdatc.enhancer.engine.budget.Rung;

/**
 * What happened to each segment, for metrics. The stream layer reports, the app decides what to
 * record. Kafka instantiates the deserialization handler itself, so the instance reaches it through
 * the Streams config under {@link #CONFIG}.
 */
public interface SegmentEvents {
    String CONFIG = "sdatc.segment.events";

    SegmentEvents NONE = new SegmentEvents() {};

    /** A segment was read from the input topic (before any check). */
    default void received(int declaredFrames) {}

    /** A segment with a sequence at or below the stream's last (or an earlier epoch) was skipped. */
    default void duplicateSkipped() {}

    /** Sequence numbers were missing before this segment; the stream's temporal state was reset. */
    default void gap() {}

    /** A segment with a higher epoch started a new producer session; the temporal state was reset. */
    default void restarted() {}

    /**
     * A segment's first timestamp was not after the previous segment's last: enhanced without
     * temporal context.
     */
    default void ptsBackwards() {}

    default void deadLettered(DeadLetterReason reason) {}

    /**
     * The latency budget's choice for a segment, reported once it was handed to the producer.
     *
     * @param streamId the stream
     * @param rung the rung it ran
     * @param lagMillis time from its producer timestamp to the choice (0 when unknown)
     * @param missed whether its end-to-end latency exceeded the budget
     */
    default void rungChosen(String streamId, Rung rung, long lagMillis, boolean missed) {}

    /** A segment was enhanced and handed to the producer. */
    default void enhanced(SegmentReport report) {}

    /**
     * @param frames frames in (and out of) the segment
     * @param videoSeconds the segment's duration
     * @param processingNanos from the start of processing to handing the result to the producer
     * @param endToEndMicros from the producer's timestamp to handing the result to the producer;
     *     {@link #UNKNOWN} when the segment carries no producer timestamp
     * @param timings per-stage time
     */
    record SegmentReport(
            int frames, double videoSeconds, long processingNanos, long endToEndMicros, StageTimings timings) {
        public static final long UNKNOWN = Long.MIN_VALUE;
    }
}
