package org.sdatc.enhancer.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.media.ContainerFormat;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.DecodedFrame;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.EncodingSink;
import org.sdatc.enhancer.media.MediaException;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SegmentDecoder;
import org.sdatc.enhancer.media.SegmentEncoder;
import org.sdatc.enhancer.media.SegmentFrames;
import org.sdatc.enhancer.media.SegmentJoiner;
import org.sdatc.enhancer.media.VideoCodec;
import org.sdatc.enhancer.window.SegmentEnhancer;
import org.sdatc.enhancer.window.WindowPlanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code enhance IN OUT}: offline, file to file, through the same segments, windows and enhancer as
 * the stream. The input is cut into segments losslessly (x264 qp 0), so the only loss is the
 * final encode; the pipeline's per-segment code (decode, windows, enhance, encode) is the one the
 * stream runs, which also makes this the baseline for measuring streaming overhead.
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
        EncoderSettings outputSettings = config.stream().encoder();
        SegmentEncoder.requireEncoder(outputSettings);
        EncoderSettings lossless = new EncoderSettings("libx264", "ultrafast", 0);
        long started = System.nanoTime();
        int frames = 0;
        int segments = 0;
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Enhancer enhancer = Enhancers.create(config);
                Stream<CutSegment> cut = SegmentCutter.cut(
                        input,
                        segmentSeconds,
                        null,
                        null,
                        lossless,
                        config.stream().interlaced());
                SegmentJoiner joiner = new SegmentJoiner(output)) {
            SegmentDecoder decoder = new SegmentDecoder(
                    enhancer.wantsMotionVectors(), config.stream().interlaced());
            SegmentEnhancer segmentEnhancer = new SegmentEnhancer(
                    new WindowPlanner(
                            config.stream().windowLength(), config.stream().windowContext()),
                    enhancer);
            SegmentEnhancer.Continuity continuity = SegmentEnhancer.Continuity.EMPTY;
            Iterator<CutSegment> it = cut.iterator();
            while (it.hasNext()) {
                CutSegment segment = it.next();
                // Frames stream from decoder through the windows to the encoder: a long segment is
                // never held in memory, at either resolution.
                int count;
                try (SegmentFrames decoded = decoder.open(
                                segment.payload(),
                                ContainerFormat.MPEGTS,
                                VideoCodec.H264,
                                unlimited(segment),
                                segment.frameCount());
                        EncodingSink sink =
                                new EncodingSink(decoded, segment.frameRate(), segment.frameCount(), outputSettings)) {
                    SegmentEnhancer.Outcome result = segmentEnhancer.enhance(
                            input.getFileName().toString(),
                            segments,
                            () -> {
                                DecodedFrame f = decoded.next();
                                return f == null ? null : new SegmentEnhancer.Frame(f.image(), f.motion());
                            },
                            continuity,
                            CompressionHints.NONE,
                            sink);
                    continuity = result.next();
                    joiner.append(sink.finish());
                    count = result.frames();
                }
                frames += count;
                segments++;
                double seconds = (System.nanoTime() - started) / 1e9;
                System.err.printf(
                        "\r%s: %d frames, %d segments, %.2f frames/s   ",
                        input.getFileName(), frames, segments, frames / seconds);
            }
        } catch (MediaException e) {
            // The input is what is wrong (unreadable, interlaced and refused, ...): one line, no trace.
            throw new UserError("cannot enhance " + input + ": " + e.getMessage());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.err.println();
        System.out.printf(
                "enhanced %d frames in %.1f s (%.2f frames/s) -> %s%n",
                frames, seconds, frames / seconds, output.toAbsolutePath());
        return 0;
    }

    /**
     * Offline input is trusted: only the segment's own size bounds the decode (the pixel budget too:
     * frames stream, so a long segment costs time, not memory).
     */
    private static org.sdatc.enhancer.media.DecodeLimits unlimited(CutSegment s) {
        return new org.sdatc.enhancer.media.DecodeLimits(
                s.width(), s.height(), s.frameCount(), Math.max(1, s.payload().length), Long.MAX_VALUE);
    }
}
