package org.sdatc.enhancer.eval;

/**
 * One clip x CRF x method: what the method scored and what it cost.
 *
 * @param model the enhancer's model id ({@code EnhancerInfo.model()})
 * @param lowResKbps bitrate of the low-resolution stream the method was given
 */
public record RunResult(
        String clip,
        int crf,
        String method,
        String model,
        double lowResKbps,
        Scores scores,
        PipelineRun.Timing timing) {}
