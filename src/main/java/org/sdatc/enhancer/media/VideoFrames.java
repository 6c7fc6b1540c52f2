package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.sdatc.enhancer.tensor.Image;

/**
 * Decodes a whole video file (any format FFmpeg reads) to RGB24 frames at its own size, for tools
 * that need every frame in memory, such as {@code eval}'s ground truth. The colour conversion is
 * the decoder's ({@link FrameScaler}: the stream's colour tags pick the matrix).
 */
public final class VideoFrames {
    /** Largest frame accepted: 8K. */
    private static final long MAX_PIXELS = 7680L * 4320L;

    /**
     * @param frames in display order, all one size
     * @param frameRate the container's nominal rate, or null when it does not say
     */
    public record Clip(List<Image> frames, Rational frameRate) {
        public Clip {
            frames = List.copyOf(frames);
        }
    }

    private VideoFrames() {}

    /**
     * Reads at most {@code maxFrames} frames.
     *
     * @throws MediaException when the file is not video FFmpeg can read, or its frame size changes
     */
    public static Clip read(Path file, int maxFrames) {
        AVFormatContext format = new AVFormatContext(null);
        int ret = avformat_open_input(format, file.toString(), null, (AVDictionary) null);
        if (ret < 0) {
            throw new MediaException(
                    MediaException.Reason.UNSUPPORTED_FORMAT,
                    "cannot open " + file + " as video: " + Av.describe(ret) + "; give a file FFmpeg can read");
        }
        try (VideoReader reader = new VideoReader(format, file.toString(), MAX_PIXELS);
                FrameScaler scaler = new FrameScaler()) {
            reader.openDecoder(false);
            List<Image> frames = new ArrayList<>();
            for (AVFrame frame = reader.next(); frame != null && frames.size() < maxFrames; frame = reader.next()) {
                if (!frames.isEmpty()
                        && (frame.width() != frames.get(0).width()
                                || frame.height() != frames.get(0).height())) {
                    throw new MediaException(
                            MediaException.Reason.UNSUPPORTED_FORMAT,
                            file + " changes frame size at frame " + frames.size() + " ("
                                    + frames.get(0).width()
                                    + "x" + frames.get(0).height() + " to " + frame.width() + "x" + frame.height()
                                    + "); cut it at the size change");
                }
                frames.add(scaler.toImage(frame, frame.width(), frame.height()));
            }
            return new Clip(frames, reader.frameRate());
        } finally {
            avformat_close_input(format);
        }
    }
}
