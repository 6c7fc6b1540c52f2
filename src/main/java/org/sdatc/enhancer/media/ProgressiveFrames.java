package org.sdatc.enhancer.media;

import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * The frames of a {@link VideoReader} as progressive pictures, ready for {@link FrameScaler}:
 * libswscale refuses interlaced frames ("Cannot convert interlaced to progressive"), so they are
 * deinterlaced ({@link Deinterlacer}) or refused, as {@link InterlacedInput} says. From the first
 * interlaced frame on, every frame goes through the deinterlacer (which passes progressive ones
 * through), so frames keep their order. Each returned frame's {@code pts} holds the decoder's best
 * effort timestamp (or AV_NOPTS_VALUE). Does not own the reader.
 */
final class ProgressiveFrames implements AutoCloseable {
    private final VideoReader reader;
    private final InterlacedInput policy;
    private final String what;
    private final Consumer<AVFrame> checkDecoded;
    private Deinterlacer deinterlacer;
    private boolean flushed;
    private int decoded;

    /**
     * @param checkDecoded called with each frame as it leaves the decoder, before any filtering (the
     *     decoder's own flags, such as damage, are judged there)
     */
    ProgressiveFrames(VideoReader reader, InterlacedInput policy, String what, Consumer<AVFrame> checkDecoded) {
        this.reader = reader;
        this.policy = policy;
        this.what = what;
        this.checkDecoded = checkDecoded;
    }

    /** The next progressive frame (valid until the next call), or null at the end. */
    AVFrame next() {
        while (true) {
            if (deinterlacer != null) {
                AVFrame out = deinterlacer.pull();
                if (out != null) {
                    return out;
                }
                if (flushed) {
                    return null;
                }
            }
            AVFrame frame = reader.next();
            if (frame == null) {
                if (deinterlacer == null) {
                    return null;
                }
                deinterlacer.flush();
                flushed = true;
                continue;
            }
            checkDecoded.accept(frame);
            frame.pts(frame.best_effort_timestamp());
            if (deinterlacer == null && (frame.flags() & Av.FRAME_FLAG_INTERLACED) != 0) {
                if (policy == InterlacedInput.REJECT) {
                    boolean tff = (frame.flags() & Av.FRAME_FLAG_TOP_FIELD_FIRST) != 0;
                    throw new MediaException(
                            MediaException.Reason.INTERLACED,
                            what + " is interlaced (frame " + decoded + ", " + (tff ? "top" : "bottom")
                                    + " field first), which this service is set to refuse; send progressive"
                                    + " video or let it deinterlace (sdatc.input.interlaced=deinterlace)");
                }
                deinterlacer = new Deinterlacer(frame, reader.stream().time_base(), what);
            }
            decoded++;
            if (deinterlacer == null) {
                return frame;
            }
            deinterlacer.push(frame);
        }
    }

    /** Whether frames are going through the deinterlacer (from the first interlaced frame on). */
    boolean deinterlacing() {
        return deinterlacer != null;
    }

    @Override
    public void close() {
        if (deinterlacer != null) {
            deinterlacer.close();
            deinterlacer = null;
        }
    }
}
