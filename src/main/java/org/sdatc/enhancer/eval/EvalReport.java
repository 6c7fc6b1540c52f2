package org.sdatc.enhancer.eval;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one evaluation produced, for {@code metrics.json}, {@code report.html} and the terminal.
 *
 * @param command the command line as given ({@code eval --hr ...})
 * @param degradation how the low-resolution streams were made
 * @param brisque which BRISQUE model scored, or why none did
 * @param runs one per clip x CRF x method, in that order
 * @param crops one per clip x CRF
 */
public record EvalReport(
        String command,
        Instant created,
        double seconds,
        Degradation degradation,
        List<Integer> crfs,
        List<MethodSummary> methods,
        List<ClipSummary> clips,
        String brisque,
        List<RunResult> runs,
        List<CropSet> crops) {
    public EvalReport {
        crfs = List.copyOf(crfs);
        methods = List.copyOf(methods);
        clips = List.copyOf(clips);
        runs = List.copyOf(runs);
        crops = List.copyOf(crops);
    }

    /**
     * A method as the report lists it.
     *
     * @param settings the configuration overrides that select it
     * @param model the model id the enhancer reports, e.g. {@code bicubic} or {@code sdatc/reference-tiny@1}
     */
    public record MethodSummary(
            String name,
            Map<String, String> settings,
            String model,
            int steps,
            String provider,
            int windowLength,
            int windowContext) {
        public MethodSummary {
            settings = Map.copyOf(settings);
        }
    }

    public List<RunResult> runs(String clip, int crf) {
        return runs.stream()
                .filter(r -> r.clip().equals(clip) && r.crf() == crf)
                .toList();
    }
}
