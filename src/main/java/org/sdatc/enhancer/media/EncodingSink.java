package org.sdatc.enhancer.media;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import org.sdatc.enhancer.tensor.Image;

/**
 * Encodes frames into one segment as they come, frame i with the PTS of frame i of the {@link
 * SegmentFrames} they were made from, so enhanced output keeps its input's timestamps without a
 * whole segment of frames ever being held. The encoder is opened on the first frame, when the
 * output size is known.
 *
 * <p>The encoder runs on a thread of its own, so the caller enhances the next window while the
 * previous one's frames are encoded: {@link #accept} queues a frame (at most {@value #QUEUED}
 * wait, then it blocks) and {@link #finish} waits for the last. The bytes are the same as encoding
 * in line (one encoder, frames in order). An encoder failure is rethrown by the next {@code
 * accept} or by {@code finish}. Times the encoder's own work ({@link #nanos()}).
 */
public final class EncodingSink implements Consumer<Image>, AutoCloseable {
    /** Frames waiting for the encoder: a window's worth, 6 MB each at 1080p. */
    static final int QUEUED = 6;

    private final SegmentFrames source;
    private final Rational frameRate;
    private final int gopFrames;
    private final EncoderSettings settings;
    private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(QUEUED);
    private Thread encoder;
    private int queued;
    private int width;
    private int height;
    // Written by the encoder thread, read after joining it (join is the happens-before edge).
    private TsSegmentWriter writer;
    private byte[] payload;
    private volatile RuntimeException failure;
    private volatile long nanos;

    /** A frame to write, or the end (image null): finish when {@code finish}, else just stop. */
    private record Job(Image image, long pts, boolean finish) {}

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
        rethrow();
        if (encoder == null) {
            width = frame.width();
            height = frame.height();
            encoder = Thread.ofPlatform().name("sdatc-encoder").daemon().start(this::encodeQueued);
        }
        // PTS are read here: the decoder fills them on the caller's thread.
        put(new Job(frame, source.pts(queued++), false));
    }

    private void encodeQueued() {
        try {
            while (true) {
                Job job = queue.take();
                long t = System.nanoTime();
                if (job.image() == null) {
                    if (job.finish() && writer != null) {
                        payload = writer.finish();
                        nanos += System.nanoTime() - t;
                    }
                    return;
                }
                if (writer == null) {
                    writer = new TsSegmentWriter(width, height, source.timeBase(), frameRate, gopFrames, settings);
                }
                writer.write(job.image(), job.pts());
                nanos += System.nanoTime() - t;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            // Unblock a caller waiting to queue: nothing more will be taken.
            queue.clear();
        }
    }

    private void put(Job job) {
        try {
            while (!queue.offer(job, 50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                rethrow();
                if (!encoder.isAlive()) {
                    throw new IllegalStateException("the encoder thread stopped without finishing the segment");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing a frame for the encoder", e);
        }
    }

    private void join() {
        try {
            encoder.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the encoder", e);
        }
    }

    private void rethrow() {
        RuntimeException e = failure;
        if (e != null) {
            throw e;
        }
    }

    /** The complete segment: H.264 in MPEG-TS. */
    public byte[] finish() {
        if (encoder == null) {
            throw new IllegalStateException("no frames were encoded");
        }
        rethrow();
        put(new Job(null, 0, true));
        join();
        rethrow();
        return payload;
    }

    /** Output width, known after the first frame. */
    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Time the encoder spent on the frames so far (on its own thread). */
    public long nanos() {
        return nanos;
    }

    @Override
    public void close() {
        if (encoder != null && encoder.isAlive()) {
            if (failure == null) {
                queue.clear();
                put(new Job(null, 0, false));
            }
            join();
        }
        if (writer != null) {
            writer.close();
        }
    }
}
