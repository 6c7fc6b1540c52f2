package org.sdatc.enhancer.media;

import java.util.function.Consumer;
import org.sdatc.enhancer.tensor.Image;

/**
 * Encodes frames into one segment as they come, frame i with the PTS of frame i of the {@link
 * SegmentFrames} they were made from, so enhanced output keeps its input's timestamps without a
 * whole segment of frames ever being held. The encoder is opened on the first frame, when the
 * output size is known. Times itself ({@link #nanos()}).
 */
public final class EncodingSink implements Consumer<Image>, AutoCloseable {
    private final SegmentFrames source;
    private final Rational frameRate;
    private final int gopFrames;
    private final EncoderSettings settings;
    private TsSegmentWriter writer;
    private int written;
    private int width;
    private int height;
    private long nanos;

    /**
     * @param frameRate the output's nominal rate
     * @param gopFrames at least the segment's frame count: the segment is one GOP
     */
    public EncodingSink(SegmentFrames source, Rational frameRate, int gopFrames, EncoderSettings settings) {
        this.source = source;
        this.frameRate = frameRate;
        this.gopFrames = gopFrames;
        this.settings = settings;
    }

    @Override
    public void accept(Image frame) {
        long t = System.nanoTime();
        if (writer == null) {
            width = frame.width();
            height = frame.height();
            writer = new TsSegmentWriter(width, height, source.timeBase(), frameRate, gopFrames, settings);
        }
        writer.write(frame, source.pts(written++));
        nanos += System.nanoTime() - t;
    }

    /** The complete segment: H.264 in MPEG-TS. */
    public byte[] finish() {
        if (writer == null) {
            throw new IllegalStateException("no frames were encoded");
        }
        long t = System.nanoTime();
        byte[] payload = writer.finish();
        nanos += System.nanoTime() - t;
        return payload;
    }

    /** Output width, known after the first frame. */
    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Time spent encoding so far. */
    public long nanos() {
        return nanos;
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}
