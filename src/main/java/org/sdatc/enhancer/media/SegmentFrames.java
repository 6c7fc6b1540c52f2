package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import java.util.Arrays;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.sdatc.enhancer.tensor.Image;

/**
 * The frames of one segment, decoded one at a time ({@link SegmentDecoder#open}): only the frame
 * handed out is held, so the memory a segment costs does not grow with its length. The first frame
 * is decoded when the segment is opened, so its size and timestamp are known before the caller
 * starts; the limits are checked on each frame before it is converted to RGB.
 *
 * <p>Errors come as {@link MediaException} from {@link #next()} too, so a caller that streams frames
 * on must be ready to drop what it made of the earlier ones.
 */
public final class SegmentFrames implements AutoCloseable {
    private final MemoryInput input;
    private final VideoReader reader;
    private final ProgressiveFrames progressive;
    private final FrameScaler scaler = new FrameScaler();
    private final DecodeLimits limits;
    private final int declaredFrames;
    private final boolean motionVectors;
    private final String what;
    private final Rational timeBase;
    private final Rational frameRate;
    private long[] pts = new long[16];
    private int count;
    private long pixels;
    private int width;
    private int height;
    private DecodedFrame peeked;
    private boolean ended;
    private boolean closed;

    SegmentFrames(
            MemoryInput input,
            VideoReader reader,
            InterlacedInput interlaced,
            boolean motionVectors,
            DecodeLimits limits,
            int declaredFrames,
            String what) {
        this.input = input;
        this.reader = reader;
        this.limits = limits;
        this.declaredFrames = declaredFrames;
        this.motionVectors = motionVectors;
        this.what = what;
        this.timeBase = Av.rational(reader.stream().time_base());
        this.frameRate = reader.frameRate();
        this.progressive = new ProgressiveFrames(reader, interlaced, what, frame -> {
            if ((frame.flags() & Av.FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags() != 0) {
                throw new MediaException(
                        MediaException.Reason.UNDECODABLE,
                        what + " frame " + count + " is damaged (missing references or"
                                + " slices); resend the segment complete, starting with a keyframe");
            }
        });
        try {
            peeked = decodeNext();
            if (peeked == null) {
                throw new MediaException(
                        MediaException.Reason.NO_FRAMES,
                        what + " holds no video frames; check that the producer writes video packets");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Frame width, from the first frame. */
    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Unit of the timestamps (the container's clock: 1/90000 for MPEG-TS). */
    public Rational timeBase() {
        return timeBase;
    }

    /** The nominal frame rate the container declares, or null when it declares none. */
    public Rational frameRate() {
        return frameRate;
    }

    /** PTS of the first frame. */
    public long firstPts() {
        return pts[0];
    }

    /** Frames decoded so far (the first one counts from the start). */
    public int count() {
        return count;
    }

    /** PTS of frame {@code index}, one already decoded. */
    public long pts(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("frame " + index + " of " + count + " decoded");
        }
        return pts[index];
    }

    /** The timestamps of the frames decoded so far. */
    public long[] pts() {
        return Arrays.copyOf(pts, count);
    }

    /**
     * The next frame in display order, or null after the last. At the end, a declared frame count
     * that the payload did not match is FRAME_COUNT_MISMATCH.
     */
    public DecodedFrame next() {
        if (peeked != null) {
            DecodedFrame f = peeked;
            peeked = null;
            return f;
        }
        if (ended) {
            return null;
        }
        DecodedFrame f = decodeNext();
        if (f == null) {
            ended = true;
            if (declaredFrames > 0 && count != declaredFrames) {
                throw new MediaException(
                        MediaException.Reason.FRAME_COUNT_MISMATCH,
                        "declares " + declaredFrames + " frames, payload holds " + count);
            }
        }
        return f;
    }

    private DecodedFrame decodeNext() {
        AVFrame frame = progressive.next();
        if (frame == null) {
            return null;
        }
        int index = count;
        if (index == limits.maxFrames()) {
            throw new MediaException(
                    MediaException.Reason.LIMIT_EXCEEDED,
                    "segment has more than " + limits.maxFrames()
                            + " frames, the frame limit; send shorter segments or raise the limit");
        }
        if (declaredFrames > 0 && index == declaredFrames) {
            throw new MediaException(
                    MediaException.Reason.FRAME_COUNT_MISMATCH,
                    "declares " + declaredFrames + " frames, payload holds more");
        }
        if (frame.width() > limits.maxWidth() || frame.height() > limits.maxHeight()) {
            throw SegmentDecoder.tooLarge(frame.width(), frame.height(), limits, "in a frame");
        }
        if (index == 0) {
            width = frame.width();
            height = frame.height();
        } else if (frame.width() != width || frame.height() != height) {
            throw new MediaException(
                    MediaException.Reason.UNSUPPORTED_FORMAT,
                    what + " changes frame size mid-segment (" + width + "x" + height + " to " + frame.width() + "x"
                            + frame.height() + "); start a new segment at a size change");
        }
        pixels += (long) frame.width() * frame.height();
        if (pixels > limits.maxPixelsPerSegment()) {
            throw new MediaException(
                    MediaException.Reason.LIMIT_EXCEEDED,
                    "segment decodes to more than " + limits.maxPixelsPerSegment() + " pixels (the per-segment limit)"
                            + " at frame " + index + " of " + frame.width() + "x" + frame.height()
                            + "; send shorter or smaller segments or raise the limit");
        }
        long t = timestamp(frame, index);
        if (t < 0 || (index > 0 && t <= pts[index - 1])) {
            throw new MediaException(
                    MediaException.Reason.BAD_TIMESTAMPS,
                    what + " frame " + index + " has PTS " + t
                            + (index > 0 ? " after " + pts[index - 1] : "")
                            + "; timestamps must be non-negative and increase within a segment");
        }
        if (index == pts.length) {
            pts = Arrays.copyOf(pts, pts.length * 2);
        }
        pts[index] = t;
        Image image = toImage(frame, index);
        // The first frame of a segment has no predecessor in it, whatever it is coded as; a
        // deinterlaced frame's vectors are the fields', not the frame's.
        var motion = motionVectors && index > 0 && !progressive.deinterlacing()
                ? MotionVectors.of(frame, reader.reorders())
                : null;
        count++;
        return new DecodedFrame(image, t, motion);
    }

    /**
     * The frame's PTS (the decoder's best effort, see {@link ProgressiveFrames}); raw elementary
     * streams carry none, so those get a regular clock.
     */
    private long timestamp(AVFrame frame, int index) {
        long t = frame.pts();
        if (t != AV_NOPTS_VALUE) {
            return t;
        }
        Rational rate = frameRate != null ? frameRate : new Rational(25, 1);
        long step =
                Math.max(1, Math.round((double) timeBase.den() * rate.den() / ((double) timeBase.num() * rate.num())));
        return index == 0 ? 0 : pts[index - 1] + step;
    }

    /**
     * A frame libswscale cannot convert is the input's problem (an exotic pixel format or frame
     * layout), not the service's: it is refused like any other unsupported input.
     */
    private Image toImage(AVFrame frame, int index) {
        try {
            return scaler.toImage(frame, frame.width(), frame.height());
        } catch (IllegalStateException e) {
            throw new MediaException(
                    MediaException.Reason.UNSUPPORTED_FORMAT,
                    what + " frame " + index + " (pixel format " + pixelFormatName(frame.format())
                            + ") cannot be converted to RGB: " + e.getMessage(),
                    e);
        }
    }

    private static String pixelFormatName(int format) {
        org.bytedeco.javacpp.BytePointer name = org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name(format);
        return name == null ? "#" + format : name.getString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        progressive.close();
        scaler.close();
        reader.close();
        input.close();
    }
}
