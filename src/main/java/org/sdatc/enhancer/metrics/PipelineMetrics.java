package org.sdatc.enhancer.metrics;

import static org.sdatc.enhancer.metrics.MeterNames.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.engine.StageTimings;
import org.sdatc.enhancer.engine.Tier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's own meters, behind plain methods the segment processor calls. Safe to call from
 * all stream threads at once. Names live in {@link MeterNames}.
 *
 * <p>Timers publish percentile histograms (so PromQL {@code histogram_quantile} works across
 * instances) with a ceiling of {@link #MAX_EXPECTED}: one window at 4K on CPU can take minutes, and
 * Micrometer's default ceiling (1 min) would fold those into the {@code +Inf} bucket.
 */
public final class PipelineMetrics {
    /** Worst case a timer must still resolve: a segment at 4K on CPU. */
    public static final Duration MAX_EXPECTED = Duration.ofMinutes(10);

    /** Distinct dead-letter reasons with their own series; more are counted under {@link #OTHER}. */
    public static final int MAX_REASONS = 32;

    public static final String OTHER = "other";

    /**
     * Distinct streams with their own lag series; later streams share the {@link #OTHER} series,
     * which holds the last lag any of them reported. Stream ids come from producers, so an unbounded
     * label would let them grow the service's series without limit.
     */
    public static final int MAX_STREAMS = 50;

    private static final Pattern REASON = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final Logger LOG = LoggerFactory.getLogger(PipelineMetrics.class);

    private final MeterRegistry registry;
    private final Map<Stage, Timer> stageTimers = new EnumMap<>(Stage.class);
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<Tier, Counter> tierSegments = new EnumMap<>(Tier.class);
    private final Map<String, AtomicReference<Double>> streamLags = new ConcurrentHashMap<>();
    private final Counter budgetMisses;
    private final Timer latency;
    private final Timer processing;
    private final Counter segmentsIn;
    private final Counter segmentsOut;
    private final Counter framesIn;
    private final Counter framesOut;
    private final Counter videoOut;
    private final Counter duplicates;
    private final Counter gaps;
    private final Counter restarts;
    private final Counter ptsBackwards;
    private final Counter clockSkewed;
    private final AtomicReference<Double> realtimeFactor = new AtomicReference<>(Double.NaN);
    private final AtomicReference<EnhancerInfo> info = new AtomicReference<>();
    private Gauge infoGauge;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Stage stage : Stage.values()) {
            stageTimers.put(
                    stage,
                    Timer.builder(STAGE_DURATION)
                            .description("Time spent per pipeline stage")
                            .tag(TAG_STAGE, stage.tag())
                            .publishPercentileHistogram()
                            .minimumExpectedValue(Duration.ofNanos(100_000))
                            .maximumExpectedValue(MAX_EXPECTED)
                            .register(registry));
        }
        latency = Timer.builder(SEGMENT_LATENCY)
                .description("Producer timestamp of a segment to publication of its enhanced segment")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(MAX_EXPECTED)
                .register(registry);
        processing = Timer.builder(SEGMENT_PROCESSING)
                .description("Wall time this process spent on one segment")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(MAX_EXPECTED)
                .register(registry);
        segmentsIn = counter(SEGMENTS_IN, "Segments consumed from the input topic");
        segmentsOut = counter(SEGMENTS_OUT, "Enhanced segments published");
        framesIn = counter(FRAMES_IN, "Low-resolution frames decoded");
        framesOut = counter(FRAMES_OUT, "Enhanced frames published");
        duplicates = counter(SEGMENTS_DUPLICATE, "Segments skipped as already processed");
        gaps = counter(SEGMENTS_GAP, "Sequence gaps (temporal context restarts)");
        restarts = counter(STREAM_RESTARTS, "New producer sessions: a higher epoch restarted a stream's numbering");
        ptsBackwards = counter(
                SEGMENTS_PTS_BACKWARDS, "Segments whose first timestamp was not after the previous segment's last");
        clockSkewed = counter(SEGMENTS_CLOCK_SKEWED, "Segments stamped in this host's future");
        for (Tier tier : Tier.values()) {
            tierSegments.put(
                    tier,
                    Counter.builder(SEGMENTS_TIER)
                            .description("Enhanced segments per quality tier")
                            .tag(TAG_TIER, tier.tag())
                            .register(registry));
        }
        budgetMisses = counter(BUDGET_MISSES, "Enhanced segments published later than the latency budget");
        videoOut = Counter.builder(VIDEO_OUT)
                .description("Duration of the video published")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder(SEGMENT_REALTIME_FACTOR, realtimeFactor, AtomicReference::get)
                .description("Seconds of video per second of processing, last segment")
                .strongReference(true) // the registry, not the caller, keeps it alive
                .register(registry);
        Gauge.builder(
                        ENHANCER_STEPS,
                        info,
                        i -> i.get() == null ? Double.NaN : i.get().steps())
                .description("Denoising steps per window of the enhancer in use")
                .strongReference(true)
                .register(registry);
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    public void segmentIn() {
        segmentsIn.increment();
    }

    public void framesIn(int frames) {
        framesIn.increment(frames);
    }

    /**
     * One enhanced segment published.
     *
     * @param frames enhanced frames in it
     * @param videoSeconds its duration as video (frames / frame rate)
     * @param processingNanos wall time this process spent on it
     * @param endToEndMicros publication time minus the producer's timestamp; negative when the
     *     producer's clock runs ahead of ours, then counted in {@link MeterNames#SEGMENTS_CLOCK_SKEWED}
     *     instead of the latency histogram
     */
    public void segmentOut(int frames, double videoSeconds, long processingNanos, long endToEndMicros) {
        segmentOut(frames, videoSeconds, processingNanos);
        if (endToEndMicros >= 0) {
            latency.record(endToEndMicros, TimeUnit.MICROSECONDS);
        } else {
            clockSkewed.increment();
        }
    }

    /** One enhanced segment whose producer gave no timestamp: no end-to-end latency to record. */
    public void segmentOut(int frames, double videoSeconds, long processingNanos) {
        segmentsOut.increment();
        framesOut.increment(frames);
        videoOut.increment(videoSeconds);
        processing.record(processingNanos, TimeUnit.NANOSECONDS);
        if (processingNanos > 0) {
            realtimeFactor.set(videoSeconds / (processingNanos / 1e9));
        }
    }

    /** One segment enhanced at {@code tier}. */
    public void segmentTier(Tier tier) {
        tierSegments.get(tier).increment();
    }

    /** One segment published later than the latency budget. */
    public void budgetMissed() {
        budgetMisses.increment();
    }

    /**
     * A stream's lag when its latest segment's rung was chosen. The first {@link #MAX_STREAMS}
     * streams get their own series; later ones share {@link #OTHER}.
     */
    public void streamLag(String streamId, double seconds) {
        AtomicReference<Double> lag = streamLags.get(streamId);
        if (lag == null) {
            lag = streamLags.computeIfAbsent(streamLags.size() >= MAX_STREAMS ? OTHER : streamId, this::lagGauge);
        }
        lag.set(seconds);
    }

    private AtomicReference<Double> lagGauge(String stream) {
        if (stream.equals(OTHER)) {
            LOG.warn("More than {} streams; their lag is reported under stream '{}'", MAX_STREAMS, OTHER);
        }
        AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
        Gauge.builder(STREAM_LAG, value, AtomicReference::get)
                .description("Now minus the producer timestamp when the stream's latest segment was scheduled")
                .baseUnit("seconds")
                .tag(TAG_STREAM, stream)
                .strongReference(true)
                .register(registry);
        return value;
    }

    public void duplicateSkipped() {
        duplicates.increment();
    }

    public void gap() {
        gaps.increment();
    }

    public void restarted() {
        restarts.increment();
    }

    public void ptsBackwards() {
        ptsBackwards.increment();
    }

    /**
     * One segment dead-lettered. {@code reason} is a tag value, so it must be a short code from a
     * fixed set ({@code bad_payload}, {@code decode_failed}, ...), never an exception message.
     *
     * @throws IllegalArgumentException when {@code reason} is not a lower-case code
     */
    public void deadLettered(String reason) {
        if (reason == null || !REASON.matcher(reason).matches()) {
            throw new IllegalArgumentException("dead-letter reason '" + reason
                    + "' is not a metric tag code: pass a fixed lower_snake_case code (at most 40 chars)"
                    + " and put details in the dead-letter record's headers");
        }
        Counter counter = deadLetters.get(reason);
        if (counter == null) {
            counter = deadLetters.computeIfAbsent(reason, r -> {
                if (deadLetters.size() >= MAX_REASONS) {
                    LOG.warn("More than {} dead-letter reasons; counting '{}' under '{}'", MAX_REASONS, r, OTHER);
                    return deadLetterCounter(OTHER);
                }
                return deadLetterCounter(r);
            });
        }
        counter.increment();
    }

    private Counter deadLetterCounter(String reason) {
        return Counter.builder(SEGMENTS_DEAD_LETTERED)
                .description("Segments sent to the dead-letter topic")
                .tag(TAG_REASON, reason)
                .register(registry);
    }

    public void stage(Stage stage, long nanos) {
        stageTimers.get(stage).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records every stage of a segment's timings as durations per run: a stage that ran n times
     * (once per window, or per denoising step) adds n observations of its mean, so the histogram
     * reads "time per window" or "time per step", not "per segment".
     */
    public void stages(StageTimings timings) {
        timings.asMap().forEach((stage, total) -> {
            int runs = Math.max(1, timings.calls(stage));
            for (int i = 0; i < runs; i++) {
                stage(stage, total / runs);
            }
        });
    }

    /**
     * Publishes the enhancer in use as an info gauge (value 1). A later call replaces the series, so
     * the process always has exactly one.
     */
    public synchronized void enhancerInfo(EnhancerInfo enhancer) {
        if (infoGauge != null) {
            registry.remove(infoGauge);
        }
        info.set(enhancer);
        infoGauge = Gauge.builder(ENHANCER_INFO, () -> 1)
                .description("The enhancer in use (value 1)")
                .tag(TAG_MODEL, enhancer.model())
                .tag(TAG_PROVIDER, enhancer.provider())
                .tag(TAG_STEPS, Integer.toString(enhancer.steps()))
                .register(registry);
    }
}
