package org.sdatc.enhancer.eval;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdatc.enhancer.tensor.Image;

/**
 * The paper's protocol for any set of methods: every ground-truth clip is degraded at every CRF
 * ({@link Degradation}), every method runs on each low-resolution stream through the segment
 * pipeline ({@link PipelineRun}), and each output is measured against the ground truth ({@link
 * RunScorer}). All clips are checked before any work starts, so a bad third clip fails in a second,
 * not after an hour.
 */
public final class Evaluation {
    /** Told how much work there is and whenever a unit of it (one frame or frame pair) is done. */
    public interface Progress {
        void start(long units);

        /** @param what the clip, CRF and method being worked on */
        void advance(String what);

        void finish();
    }

    /**
     * What to evaluate.
     *
     * @param command the command line, for the report
     * @param methods bicubic first; names unique
     * @param keepFrames where to write every frame as PNG ({@code CLIP/truth}, {@code CLIP/crfN/lr},
     *     {@code CLIP/crfN/METHOD}), or null to keep none
     */
    public record Plan(
            String command,
            List<Path> truth,
            GroundTruthReader reader,
            List<Integer> crfs,
            List<Method> methods,
            Degradation degradation,
            Path brisqueModels,
            Path keepFrames) {
        public Plan {
            truth = List.copyOf(truth);
            crfs = List.copyOf(crfs);
            methods = List.copyOf(methods);
        }
    }

    private Evaluation() {}

    public static EvalReport run(Plan plan, Progress progress) {
        long started = System.nanoTime();
        Instant created = Instant.now();
        List<GroundTruthReader.Probe> probes = new ArrayList<>();
        for (Path source : plan.truth()) {
            probes.add(plan.reader().probe(source));
        }
        requireUniqueNames(probes);
        long units = 0;
        for (GroundTruthReader.Probe p : probes) {
            units += (p.frames() - 1)
                    + (long) p.frames()
                            * (1 + plan.crfs().size() * plan.methods().size());
        }
        // One per method: its untimed warm-up window.
        units += plan.methods().size();
        progress.start(units);
        List<ClipSummary> clips = new ArrayList<>();
        List<RunResult> runs = new ArrayList<>();
        List<CropSet> crops = new ArrayList<>();
        String brisqueStatus;
        Set<String> warm = new HashSet<>();
        try (Brisque brisque = Brisque.open(plan.brisqueModels())) {
            brisqueStatus = brisque.status();
            for (GroundTruthReader.Probe probe : probes) {
                GroundTruth truth = plan.reader().read(probe.source());
                PreparedClip clip = prepare(truth, brisque, () -> progress.advance(truth.name() + " ground truth"));
                if (plan.keepFrames() != null) {
                    FrameFolder folder = new FrameFolder(
                            plan.keepFrames().resolve(truth.name()).resolve("truth"));
                    for (int i = 0; i < truth.frameCount(); i++) {
                        folder.write(i, truth.frames().get(i));
                    }
                }
                clips.add(new ClipSummary(
                        truth.name(),
                        truth.source(),
                        truth.frameCount(),
                        truth.width(),
                        truth.height(),
                        truth.frameRate().toDouble(),
                        Scores.mean(clip.brisque()),
                        Scores.mean(clip.motion().ownWarpError())));
                for (int crf : plan.crfs()) {
                    DegradedClip stream = plan.degradation().apply(truth, crf);
                    Map<String, Image> cropByMethod = new LinkedHashMap<>();
                    Image lowResCrop = null;
                    for (Method method : plan.methods()) {
                        if (warm.add(method.name())) {
                            progress.advance(truth.name() + " warming up " + method.name());
                            PipelineRun.warmUp(method, stream);
                        }
                        String what = truth.name() + " crf " + crf + " " + method.name();
                        RunScorer scorer = new RunScorer(clip, brisque, () -> progress.advance(what));
                        PipelineRun.FrameSink sink = scorer;
                        if (plan.keepFrames() != null) {
                            sink = keeping(
                                    scorer,
                                    plan.keepFrames(),
                                    truth.name(),
                                    crf,
                                    method,
                                    method == plan.methods().get(0));
                        }
                        PipelineRun.Timing timing =
                                PipelineRun.run(method, stream, "eval/" + truth.name() + "/crf" + crf, sink);
                        runs.add(new RunResult(
                                truth.name(),
                                crf,
                                method.name(),
                                method.info().model(),
                                stream.kbps(),
                                scorer.scores(),
                                timing));
                        cropByMethod.put(method.name(), scorer.outputCrop());
                        lowResCrop = scorer.lowResCrop();
                    }
                    crops.add(new CropSet(
                            truth.name(),
                            crf,
                            clip.region(),
                            lowResCrop,
                            cropByMethod,
                            clip.region().crop(truth.frames().get(clip.region().frame()))));
                }
            }
        } finally {
            progress.finish();
        }
        List<EvalReport.MethodSummary> methods = plan.methods().stream()
                .map(m -> new EvalReport.MethodSummary(
                        m.name(),
                        m.settings(),
                        m.info().model(),
                        m.info().steps(),
                        m.info().provider(),
                        m.windowLength(),
                        m.windowContext()))
                .toList();
        return new EvalReport(
                plan.command(),
                created,
                (System.nanoTime() - started) / 1e9,
                plan.degradation(),
                plan.crfs(),
                methods,
                clips,
                brisqueStatus,
                runs,
                crops);
    }

    /** {@code scorer}, also writing the output (and with {@code lowRes}, the input) frames as PNG. */
    private static PipelineRun.FrameSink keeping(
            RunScorer scorer, Path root, String clip, int crf, Method method, boolean lowRes) {
        Path base = root.resolve(clip).resolve("crf" + crf);
        FrameFolder output = new FrameFolder(base.resolve(method.name().replaceAll("[^A-Za-z0-9._-]+", "_")));
        FrameFolder input = lowRes ? new FrameFolder(base.resolve("lr")) : null;
        return (index, lr, out) -> {
            scorer.accept(index, lr, out);
            output.write(index, out);
            if (input != null) {
                input.write(index, lr);
            }
        };
    }

    /** Luma, own motion, own BRISQUE and the detailed region of a clip. */
    static PreparedClip prepare(GroundTruth truth, Brisque brisque, Runnable perUnit) {
        List<Luma> luma = new ArrayList<>(truth.frameCount());
        double[] scores = new double[truth.frameCount()];
        for (int i = 0; i < truth.frameCount(); i++) {
            Image frame = truth.frames().get(i);
            luma.add(Luma.of(frame));
            scores[i] = brisque.score(frame);
            perUnit.run();
        }
        ReferenceMotion motion = ReferenceMotion.of(truth.frames(), perUnit);
        int middle = truth.frameCount() / 2;
        DetailRegion region = DetailRegion.find(truth.frames().get(middle), middle);
        return new PreparedClip(truth, luma, motion, scores, region);
    }

    private static void requireUniqueNames(List<GroundTruthReader.Probe> probes) {
        Map<String, Path> seen = new LinkedHashMap<>();
        for (GroundTruthReader.Probe p : probes) {
            Path before = seen.putIfAbsent(p.name(), p.source());
            if (before != null) {
                throw new EvalInputException("two ground-truth clips are both named '" + p.name() + "' (" + before
                        + " and " + p.source() + "); rename one, since tables and metrics.json name clips by it");
            }
        }
    }
}
