package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.sdatc.enhancer.tensor.Image;

/**
 * Does what a live encoder in front of the service does: cuts video into self-contained H.264
 * MPEG-TS segments of about {@code segmentSeconds}, each one closed GOP that starts with a keyframe
 * (no scene-cut keyframes inside), decodable on its own. Frames are put on a constant-rate 90 kHz
 * clock, frame i at {@code round(i * 90000 / fps)}, continuing across segments as a live stream's
 * timestamps do; a variable-rate source is thereby normalised to its average rate.
 */
public final class SegmentCutter {
    /** Largest source frame the cutter will decode: 8K. */
    private static final long MAX_SOURCE_PIXELS = 7680L * 4320L;

    private SegmentCutter() {}

    /**
     * Lazily cuts any video file FFmpeg reads (an image sequence pattern such as {@code %03d.png}
     * works too). Close the stream (try-with-resources) to free the decoder.
     *
     * @param targetWidth output width, or null for the source's (or the aspect-preserving width for
     *     {@code targetHeight}); sizes are rounded down to even, as 4:2:0 H.264 needs
     */
    public static Stream<CutSegment> cut(
            Path input, double segmentSeconds, Integer targetWidth, Integer targetHeight, EncoderSettings s) {
        return cut(input, segmentSeconds, targetWidth, targetHeight, s, InterlacedInput.DEINTERLACE);
    }

    /**
     * As {@link #cut(Path, double, Integer, Integer, EncoderSettings)}; {@code interlaced} says whether
     * an interlaced source is deinterlaced or refused (MediaException INTERLACED while cutting).
     */
    public static Stream<CutSegment> cut(
            Path input,
            double segmentSeconds,
            Integer targetWidth,
            Integer targetHeight,
            EncoderSettings s,
            InterlacedInput interlaced) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(s, "encoder settings");
        Objects.requireNonNull(interlaced, "interlaced");
        SegmentEncoder.requireEncoder(s);
        FileCutter cutter = new FileCutter(input, segmentSeconds, targetWidth, targetHeight, s, interlaced);
        return StreamSupport.stream(
                        Spliterators.spliteratorUnknownSize(cutter, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(cutter::close);
    }

    /** Cuts an in-memory clip (for example a {@link SyntheticClip}) at {@code frameRate}. */
    public static List<CutSegment> cut(
            List<Image> frames, Rational frameRate, double segmentSeconds, EncoderSettings s) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("cannot cut a clip with no frames");
        }
        int perSegment = framesPerSegment(segmentSeconds, frameRate);
        SegmentEncoder encoder = new SegmentEncoder();
        List<CutSegment> out = new ArrayList<>();
        for (int start = 0; start < frames.size(); start += perSegment) {
            List<Image> part = frames.subList(start, Math.min(frames.size(), start + perSegment));
            long[] pts = new long[part.size()];
            for (int i = 0; i < pts.length; i++) {
                pts[i] = ptsOf(start + i, frameRate);
            }
            byte[] payload = encoder.encode(part, pts, Rational.MPEGTS_TIME_BASE, frameRate, s);
            Image first = part.get(0);
            out.add(new CutSegment(
                    payload, part.size(), pts[0], Rational.MPEGTS_TIME_BASE, frameRate, first.width(), first.height()));
        }
        return out;
    }

    static int framesPerSegment(double segmentSeconds, Rational frameRate) {
        if (!(segmentSeconds > 0) || frameRate.num() == 0) {
            throw new IllegalArgumentException("segment length and frame rate must be positive, got " + segmentSeconds
                    + " s at " + frameRate + " fps");
        }
        return (int) Math.max(1, Math.round(segmentSeconds * frameRate.toDouble()));
    }

    static long ptsOf(long index, Rational frameRate) {
        return Math.round(index * 90_000.0 * frameRate.den() / frameRate.num());
    }

    private static int even(int v) {
        return Math.max(2, v & ~1);
    }

    /** Decodes the file one frame ahead and encodes segment by segment. */
    private static final class FileCutter implements Iterator<CutSegment>, AutoCloseable {
        private final AVFormatContext format;
        private final VideoReader reader;
        private final ProgressiveFrames frames;
        private final FrameScaler scaler = new FrameScaler();
        private final EncoderSettings settings;
        private final Rational frameRate;
        private final int perSegment;
        private final int width;
        private final int height;
        private Image pending;
        private boolean ended;
        private long index;
        private boolean closed;

        FileCutter(
                Path input,
                double segmentSeconds,
                Integer targetWidth,
                Integer targetHeight,
                EncoderSettings s,
                InterlacedInput interlaced) {
            this.settings = s;
            AVFormatContext f = new AVFormatContext(null);
            int ret = avformat_open_input(f, input.toString(), null, (AVDictionary) null);
            if (ret < 0) {
                scaler.close();
                throw new MediaException(
                        MediaException.Reason.UNSUPPORTED_FORMAT,
                        "cannot open " + input + " as video: " + Av.describe(ret)
                                + "; give a file FFmpeg can read (or a %03d.png pattern)");
            }
            format = f;
            try {
                reader = new VideoReader(format, input.toString(), MAX_SOURCE_PIXELS);
                reader.openDecoder(false);
                frames = new ProgressiveFrames(reader, interlaced, input.toString(), frame -> {});
                Rational rate = reader.frameRate();
                if (rate == null) {
                    throw new MediaException(
                            MediaException.Reason.UNSUPPORTED_FORMAT,
                            input + " does not say its frame rate; remux it with one");
                }
                frameRate = rate;
                perSegment = framesPerSegment(segmentSeconds, rate);
                int[] size = reader.declaredSize();
                int sw = size[0];
                int sh = size[1];
                if (sw <= 0 || sh <= 0) {
                    throw new MediaException(
                            MediaException.Reason.UNDECODABLE, input + " does not declare its frame size");
                }
                if (targetWidth == null && targetHeight == null) {
                    width = even(sw);
                    height = even(sh);
                } else if (targetHeight == null) {
                    width = even(targetWidth);
                    height = even((int) Math.round((double) sh * targetWidth / sw));
                } else if (targetWidth == null) {
                    height = even(targetHeight);
                    width = even((int) Math.round((double) sw * targetHeight / sh));
                } else {
                    width = even(targetWidth);
                    height = even(targetHeight);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public boolean hasNext() {
            if (pending == null && !ended) {
                AVFrame frame = frames.next();
                if (frame == null) {
                    ended = true;
                } else {
                    pending = scaler.toImage(frame, width, height);
                }
            }
            return pending != null;
        }

        @Override
        public CutSegment next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the input has no more frames");
            }
            long firstPts = ptsOf(index, frameRate);
            // The accurate RGB to YUV conversion, not the output encoder's fast one: eval's low-resolution
            // streams are the protocol's input and must not move with the service's delivery settings.
            try (TsSegmentWriter writer = new TsSegmentWriter(
                    width, height, Rational.MPEGTS_TIME_BASE, frameRate, perSegment, settings, new FrameScaler())) {
                while (writer.frameCount() < perSegment && hasNext()) {
                    writer.write(pending, ptsOf(index++, frameRate));
                    pending = null;
                }
                int count = writer.frameCount();
                return new CutSegment(
                        writer.finish(), count, firstPts, Rational.MPEGTS_TIME_BASE, frameRate, width, height);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (frames != null) {
                frames.close();
            }
            if (reader != null) {
                reader.close();
            }
            if (format != null) {
                avformat_close_input(format);
            }
            scaler.close();
        }
    }
}
