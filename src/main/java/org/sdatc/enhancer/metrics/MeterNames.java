package org.sdatc.enhancer.metrics;

/**
 * Every meter name and tag key the service registers, in one place, so the code, the Grafana
 * dashboard (grafana/dashboards/sdatc-enhancer.json) and docs/operations.md agree.
 *
 * <p>Names follow Micrometer's conventions (dot-separated, base units seconds and bytes). The
 * Prometheus registry renders them with underscores and unit/type suffixes: the timer {@link
 * #STAGE_DURATION} becomes {@code sdatc_stage_duration_seconds_bucket/_count/_sum/_max}, the
 * counter {@link #SEGMENTS_IN} becomes {@code sdatc_segments_in_total}. Tag values are bounded
 * sets (stage names, dead-letter reasons, one enhancer identity per process): never stream or
 * segment ids.
 */
public final class MeterNames {
    public static final String PREFIX = "sdatc.";

    /** Timer, tag {@link #TAG_STAGE}: time per pipeline stage ({@code engine.Stage}). */
    public static final String STAGE_DURATION = PREFIX + "stage.duration";

    /** Timer: producer timestamp of a segment to the publication of its enhanced segment. */
    public static final String SEGMENT_LATENCY = PREFIX + "segment.latency";

    /** Timer: wall time this process spent on one segment, from consumption to publication. */
    public static final String SEGMENT_PROCESSING = PREFIX + "segment.processing";

    /** Gauge: seconds of video per second of processing of the last published segment. */
    public static final String SEGMENT_REALTIME_FACTOR = PREFIX + "segment.realtime.factor";

    /** Counter (seconds): duration of the video published, for a rate-based real-time factor. */
    public static final String VIDEO_OUT = PREFIX + "video.out";

    /** Counters: segments and frames consumed and published. */
    public static final String SEGMENTS_IN = PREFIX + "segments.in";

    public static final String SEGMENTS_OUT = PREFIX + "segments.out";
    public static final String FRAMES_IN = PREFIX + "frames.in";
    public static final String FRAMES_OUT = PREFIX + "frames.out";

    /** Counter: segments skipped because their sequence number was already processed. */
    public static final String SEGMENTS_DUPLICATE = PREFIX + "segments.duplicate";

    /** Counter: sequence gaps seen (the stream's temporal context restarts after each). */
    public static final String SEGMENTS_GAP = PREFIX + "segments.gap";

    /** Counter: new producer sessions (a segment with a higher epoch restarted a stream's numbering). */
    public static final String STREAM_RESTARTS = PREFIX + "stream.restarts";

    /** Counter: segments whose first PTS was not after the previous segment's last (enhanced without context). */
    public static final String SEGMENTS_PTS_BACKWARDS = PREFIX + "segments.pts.backwards";

    /** Counter, tag {@link #TAG_REASON}: segments sent to the dead-letter topic. */
    public static final String SEGMENTS_DEAD_LETTERED = PREFIX + "segments.dead.lettered";

    /** Counter: segments whose producer timestamp is ahead of this host's clock (not in latency). */
    public static final String SEGMENTS_CLOCK_SKEWED = PREFIX + "segments.clock.skewed";

    /** Gauge = 1, tags {@link #TAG_MODEL}, {@link #TAG_PROVIDER}, {@link #TAG_STEPS}. */
    public static final String ENHANCER_INFO = PREFIX + "enhancer.info";

    /** Gauge: denoising steps per window of the enhancer in use. */
    public static final String ENHANCER_STEPS = PREFIX + "enhancer.steps";

    /** Gauge, tag {@link #TAG_STATE}: 1 for the Kafka Streams client's current state, 0 for others. */
    public static final String STREAMS_STATE = PREFIX + "streams.state";

    /** Counter, tag {@link #TAG_TIER}: enhanced segments per quality tier the latency budget chose. */
    public static final String SEGMENTS_TIER = PREFIX + "segments.tier";

    /** Counter: enhanced segments published later than {@code sdatc.latency.budget.ms}. */
    public static final String BUDGET_MISSES = PREFIX + "budget.misses";

    /**
     * Gauge (seconds), tag {@link #TAG_STREAM}: a stream's lag (now minus producer timestamp) when
     * its last segment's rung was chosen. At most {@code PipelineMetrics.MAX_STREAMS} stream labels.
     */
    public static final String STREAM_LAG = PREFIX + "stream.lag";

    public static final String TAG_TIER = "tier";
    public static final String TAG_STREAM = "stream";
    public static final String TAG_STAGE = "stage";
    public static final String TAG_REASON = "reason";
    public static final String TAG_MODEL = "model";
    public static final String TAG_PROVIDER = "provider";
    public static final String TAG_STEPS = "steps";
    public static final String TAG_STATE = "state";

    private MeterNames() {}
}
