package org.sdatc.enhancer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.engine.StageTimings;
import org.sdatc.enhancer.engine.Tier;

class PipelineMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PipelineMetrics metrics = new PipelineMetrics(registry);

    @Test
    void aFiveMinuteStageLandsInAFiniteHistogramBucketNotInPlusInf() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new PipelineMetrics(prometheus)
                .stage(Stage.SAMPLER, Duration.ofMinutes(5).toNanos());
        // What histogram_quantile sees: the smallest finite upper bound whose cumulative count is 1.
        Pattern bucket = Pattern.compile("sdatc_stage_duration_seconds_bucket\\{stage=\"sampler\",le=\"([0-9.]+)\"} 1");
        double smallestHolding = prometheus
                .scrape()
                .lines()
                .map(bucket::matcher)
                .filter(Matcher::matches)
                .mapToDouble(m -> Double.parseDouble(m.group(1)))
                .min()
                .orElse(Double.POSITIVE_INFINITY);
        assertTrue(
                smallestHolding >= 300 && smallestHolding <= 660, "smallest bucket holding 5 min: " + smallestHolding);
    }

    @Test
    void stageTimingsAreRecordedPerRunUnderTheirStageTags() {
        StageTimings timings = new StageTimings();
        timings.add(Stage.VAE_ENCODE, 2_000_000);
        timings.add(Stage.DENOISE_STEP, 5_000_000);
        timings.add(Stage.DENOISE_STEP, 7_000_000);
        metrics.stages(timings);
        Timer denoise = registry.get(MeterNames.STAGE_DURATION)
                .tag(MeterNames.TAG_STAGE, "denoise_step")
                .timer();
        assertEquals(2, denoise.count(), "two denoising steps are two observations, not one sum");
        assertEquals(12.0, denoise.totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(6.0, denoise.max(TimeUnit.MILLISECONDS), 1e-9, "each observation is the mean step");
        assertEquals(
                1,
                registry.get(MeterNames.STAGE_DURATION)
                        .tag(MeterNames.TAG_STAGE, "vae_encode")
                        .timer()
                        .count());
    }

    @Test
    void aSegmentsMergedTimingsKeepHowManyTimesEachStageRan() {
        StageTimings segment = new StageTimings();
        for (int window = 0; window < 3; window++) {
            StageTimings w = new StageTimings();
            w.add(Stage.DCM, 30_000_000);
            for (int step = 0; step < 4; step++) {
                w.add(Stage.DENOISE_STEP, 10_000_000);
            }
            segment.addAll(w);
        }
        segment.add(Stage.ENCODE, 50_000_000);
        metrics.stages(segment);

        assertEquals(
                12,
                registry.get(MeterNames.STAGE_DURATION)
                        .tag(MeterNames.TAG_STAGE, "denoise_step")
                        .timer()
                        .count());
        assertEquals(
                3,
                registry.get(MeterNames.STAGE_DURATION)
                        .tag(MeterNames.TAG_STAGE, "dcm")
                        .timer()
                        .count());
        assertEquals(
                30.0,
                registry.get(MeterNames.STAGE_DURATION)
                        .tag(MeterNames.TAG_STAGE, "dcm")
                        .timer()
                        .max(TimeUnit.MILLISECONDS),
                1e-9);
        assertEquals(
                1,
                registry.get(MeterNames.STAGE_DURATION)
                        .tag(MeterNames.TAG_STAGE, "encode")
                        .timer()
                        .count());
    }

    @Test
    void aProducerClockAheadOfOursIsCountedNotRecordedAsLatency() {
        metrics.segmentOut(24, 1.0, 500_000_000L, -3_000L);
        assertEquals(0, registry.get(MeterNames.SEGMENT_LATENCY).timer().count());
        assertEquals(
                1.0, registry.get(MeterNames.SEGMENTS_CLOCK_SKEWED).counter().count());
        assertEquals(
                2.0, registry.get(MeterNames.SEGMENT_REALTIME_FACTOR).gauge().value(), 1e-12);
    }

    @Test
    void skippedDuplicatesRestartsAndBackwardTimestampsAreScrapedUnderTheirDocumentedNames() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics m = new PipelineMetrics(prometheus);
        m.duplicateSkipped();
        m.duplicateSkipped();
        m.restarted();
        m.ptsBackwards();

        String text = prometheus.scrape();
        assertTrue(text.contains("sdatc_segments_duplicate_total 2.0"), text);
        assertTrue(text.contains("sdatc_stream_restarts_total 1.0"), text);
        assertTrue(text.contains("sdatc_segments_pts_backwards_total 1.0"), text);
    }

    @Test
    void deadLetterReasonsMustBeShortCodesSoTheTagStaysBounded() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> metrics.deadLettered("InvalidProtocolBufferException: truncated message at offset 12"));
        assertTrue(e.getMessage().contains("lower_snake_case"), e.getMessage());
    }

    @Test
    void reasonsBeyondTheCapAreCountedUnderOther() {
        for (int i = 0; i < PipelineMetrics.MAX_REASONS + 5; i++) {
            metrics.deadLettered("reason_" + i);
        }
        long series =
                registry.find(MeterNames.SEGMENTS_DEAD_LETTERED).counters().size();
        assertEquals(PipelineMetrics.MAX_REASONS + 1, series);
        assertEquals(
                5.0,
                registry.get(MeterNames.SEGMENTS_DEAD_LETTERED)
                        .tag(MeterNames.TAG_REASON, PipelineMetrics.OTHER)
                        .counter()
                        .count());
    }

    @Test
    void theEnhancerInfoKeepsOneSeriesPerProcess() {
        metrics.enhancerInfo(new EnhancerInfo("bicubic", 4, 0, "java", Tier.BICUBIC));
        metrics.enhancerInfo(new EnhancerInfo("sdatc/reference-tiny@1", 4, 4, "cuda", Tier.FULL));
        var infos = registry.find(MeterNames.ENHANCER_INFO).meters();
        assertEquals(1, infos.size());
        Meter.Id id = infos.iterator().next().getId();
        assertEquals("cuda", id.getTag(MeterNames.TAG_PROVIDER));
        assertEquals("4", id.getTag(MeterNames.TAG_STEPS));
        assertEquals(4.0, registry.get(MeterNames.ENHANCER_STEPS).gauge().value());
    }

    @Test
    void segmentsAreCountedPerTierWithEveryTierPresentFromTheStart() {
        metrics.segmentTier(Tier.DCM);
        metrics.segmentTier(Tier.BICUBIC);
        metrics.segmentTier(Tier.BICUBIC);
        assertEquals(0, tierCount("full"), "a tier never used reads 0, not absent, so dashboards show it");
        assertEquals(1, tierCount("dcm"));
        assertEquals(2, tierCount("bicubic"));
        assertEquals(0, tierCount("lite"));
        assertEquals(
                Tier.values().length,
                registry.get(MeterNames.SEGMENTS_TIER).counters().size());
    }

    @Test
    void budgetMissesAreCounted() {
        assertEquals(0, registry.get(MeterNames.BUDGET_MISSES).counter().count());
        metrics.budgetMissed();
        assertEquals(1, registry.get(MeterNames.BUDGET_MISSES).counter().count());
    }

    @Test
    void theFirstFiftyStreamsHaveTheirOwnLagSeriesAndTheRestShareOther() {
        for (int i = 0; i < 80; i++) {
            metrics.streamLag("cam-" + i, i);
        }
        metrics.streamLag("cam-3", 7.5);
        assertEquals(
                PipelineMetrics.MAX_STREAMS + 1,
                registry.get(MeterNames.STREAM_LAG).gauges().size());
        assertEquals(7.5, lag("cam-3"), "a known stream updates its own series");
        assertEquals(79, lag(PipelineMetrics.OTHER), "streams past the cap report under 'other'");
        assertTrue(registry.find(MeterNames.STREAM_LAG)
                        .tag(MeterNames.TAG_STREAM, "cam-60")
                        .gauge()
                == null);
    }

    private double tierCount(String tier) {
        return registry.get(MeterNames.SEGMENTS_TIER)
                .tag(MeterNames.TAG_TIER, tier)
                .counter()
                .count();
    }

    private double lag(String stream) {
        return registry.get(MeterNames.STREAM_LAG)
                .tag(MeterNames.TAG_STREAM, stream)
                .gauge()
                .value();
    }
}
