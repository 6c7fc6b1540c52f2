package org.sdatc.enhancer.app;

import org.sdatc.enhancer.engine.budget.Rung;
import org.sdatc.enhancer.metrics.PipelineMetrics;
import org.sdatc.enhancer.stream.DeadLetterReason;
import org.sdatc.enhancer.stream.SegmentEvents;

/** Records what the stream layer reports as Prometheus metrics. */
final class MetricsEvents implements SegmentEvents {
    private final PipelineMetrics metrics;

    MetricsEvents(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void received(int declaredFrames) {
        metrics.segmentIn();
        metrics.framesIn(Math.max(0, declaredFrames));
    }

    @Override
    public void duplicateSkipped() {
        metrics.duplicateSkipped();
    }

    @Override
    public void gap() {
        metrics.gap();
    }

    @Override
    public void restarted() {
        metrics.restarted();
    }

    @Override
    public void ptsBackwards() {
        metrics.ptsBackwards();
    }

    @Override
    public void deadLettered(DeadLetterReason reason) {
        metrics.deadLettered(reason.tag());
    }

    @Override
    public void rungChosen(String streamId, Rung rung, long lagMillis, boolean missed) {
        metrics.segmentTier(rung.tier());
        metrics.streamLag(streamId, lagMillis / 1000.0);
        if (missed) {
            metrics.budgetMissed();
        }
    }

    @Override
    public void enhanced(SegmentReport report) {
        if (report.endToEndMicros() == SegmentReport.UNKNOWN) {
            metrics.segmentOut(report.frames(), report.videoSeconds(), report.processingNanos());
        } else {
            metrics.segmentOut(
                    report.frames(), report.videoSeconds(), report.processingNanos(), report.endToEndMicros());
        }
        metrics.stages(report.timings());
    }
}
