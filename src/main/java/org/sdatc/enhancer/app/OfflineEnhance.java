package org.sdatc.enhancer.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.engine.StageTimings;
import org.sdatc.enhancer.media.ContainerFormat;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.DecodeLimits;
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

/**
 * The offline pipeline of {@code enhance}, file to file, through the same segments, windows and
 * enhancer as the stream: the input is cut into segments losslessly (x264 qp 0), so the only loss
 * is the final encode. {@code bench} times exactly this.
 */
final class OfflineEnhance {
    private OfflineEnhance() {}

    /** Called after each segment with the totals so far. */
    @FunctionalInterface
    interface Progress {
        void segmentDone(int frames, int segments, long elapsedNanos);
    }

    /**
     * What a run did and where its time went.
     *
     * @param nanos from the first segment's cut to the closed output file (the enhancer already open)
     * @param cutNanos reading the input and cutting it into lossless segments
     * @param stages decode, the enhancer's stages and encode, summed over all segments
     */
    record Result(int frames, int segments, long nanos, long cutNanos, StageTimings stages) {}

    /**
     * Enhances {@code input} into the MP4 {@code output} with {@code enhancer}, which the caller
     * built from {@code config} ({@link Enhancers#create}) and still owns.
     *
     * @throws UserError when the input cannot be read or decoded
     */
    static Result run(
            ServiceConfig config, Enhancer enhancer, Path input, Path output, double segmentSeconds, Progress progress)
            throws java.io.IOException {
        if (!Files.isReadable(input)) {
            throw new UserError("input video " + input + " does not exist or cannot be read");
        }
        EncoderSettings outputSettings = config.stream().encoder();
        SegmentEncoder.requireEncoder(outputSettings);
        EncoderSettings lossless = new EncoderSettings("libx264", "ultrafast", 0);
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        long started = System.nanoTime();
        int frames = 0;
        int segments = 0;
        long cutNanos = 0;
        StageTimings stages = new StageTimings();
        try (Stream<CutSegment> cut = SegmentCutter.cut(
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
            while (true) {
                long t = System.nanoTime();
                if (!it.hasNext()) {
                    cutNanos += System.nanoTime() - t;
                    break;
                }
                CutSegment segment = it.next();
                cutNanos += System.nanoTime() - t;
                // Frames stream from decoder through the windows to the encoder: a long segment is
                // never held in memory, at either resolution.
                long[] decodeNanos = {System.nanoTime()};
                try (SegmentFrames decoded = decoder.open(
                                segment.payload(),
                                ContainerFormat.MPEGTS,
                                VideoCodec.H264,
                                unlimited(segment),
                                segment.frameCount());
                        EncodingSink sink =
                                new EncodingSink(decoded, segment.frameRate(), segment.frameCount(), outputSettings)) {
                    decodeNanos[0] = System.nanoTime() - decodeNanos[0];
                    SegmentEnhancer.Outcome result = segmentEnhancer.enhance(
                            input.getFileName().toString(),
                            segments,
                            () -> {
                                long d = System.nanoTime();
                                DecodedFrame f = decoded.next();
                                decodeNanos[0] += System.nanoTime() - d;
                                return f == null ? null : new SegmentEnhancer.Frame(f.image(), f.motion());
                            },
                            continuity,
                            CompressionHints.NONE,
                            sink);
                    continuity = result.next();
                    joiner.append(sink.finish());
                    stages.add(Stage.DECODE, decodeNanos[0]);
                    stages.addAll(result.timings());
                    stages.add(Stage.ENCODE, sink.nanos());
                    frames += result.frames();
                }
                segments++;
                progress.segmentDone(frames, segments, System.nanoTime() - started);
            }
        } catch (MediaException e) {
            // The input is what is wrong (unreadable, interlaced and refused, ...): one line, no trace.
            throw new UserError("cannot enhance " + input + ": " + e.getMessage());
        }
        return new Result(frames, segments, System.nanoTime() - started, cutNanos, stages);
    }

    /**
     * Offline input is trusted: only the segment's own size bounds the decode (the pixel budget too:
     * frames stream, so a long segment costs time, not memory).
     */
    private static DecodeLimits unlimited(CutSegment s) {
        return new DecodeLimits(s.width(), s.height(), s.frameCount(), Math.max(1, s.payload().length), Long.MAX_VALUE);
    }
}
