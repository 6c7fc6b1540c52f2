package org.sdatc.enhancer.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.media.SegmentEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code enhance IN OUT}: offline, file to file, through the same segments, windows and enhancer as
 * the stream ({@link OfflineEnhance}). The pipeline's per-segment code (decode, windows, enhance,
 * encode) is the one the stream runs, which also makes this the baseline for measuring streaming
 * overhead.
 */
@Command(
        name = "enhance",
        mixinStandardHelpOptions = true,
        description = "Enhance a video file offline (x4), writing an MP4.")
public final class EnhanceCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "IN", description = "Input video (any format FFmpeg reads).")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output MP4.")
    Path output;

    @Option(names = "--segment-seconds", defaultValue = "2.0", description = "Segment length for processing.")
    double segmentSeconds;

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = common.load(Map.of());
        if (!Files.isReadable(input)) {
            throw new UserError("input video " + input + " does not exist or cannot be read");
        }
        SegmentEncoder.requireEncoder(config.stream().encoder());
        long started = System.nanoTime();
        OfflineEnhance.Result result;
        try (Enhancer enhancer = Enhancers.create(config)) {
            result = OfflineEnhance.run(
                    config,
                    enhancer,
                    input,
                    output,
                    segmentSeconds,
                    (frames, segments, nanos) -> System.err.printf(
                            "\r%s: %d frames, %d segments, %.2f frames/s   ",
                            input.getFileName(), frames, segments, frames / (nanos / 1e9)));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.err.println();
        System.out.printf(
                "enhanced %d frames in %.1f s (%.2f frames/s) -> %s%n",
                result.frames(), seconds, result.frames() / seconds, output.toAbsolutePath());
        return 0;
    }
}
