package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_HEVC;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;

/**
 * Decodes one in-memory segment to RGB24 frames with their container timestamps.
 *
 * <p>Stateless: every call owns its native objects and frees them before returning, so one
 * instance may be shared by any number of threads.
 *
 * <p>Limits are enforced before the work they guard: payload size before parsing, the frame size
 * the stream declares (SPS, read while probing with a pixel cap on the probing decoders) before any
 * frame is decoded, and the frame count while decoding (it stops at {@code maxFrames + 1}).
 *
 * <p>Interlaced video is deinterlaced (FFmpeg's bwdif, see {@link ProgressiveFrames}) or refused as
 * INTERLACED, as the {@link InterlacedInput} given says.
 *
 * <p>Error reasons: bytes the declared demuxer refuses, a codec other than the declared one, or
 * frames libswscale cannot convert to RGB, are UNSUPPORTED_FORMAT; a container that parses but whose video is damaged or cut short is
 * UNDECODABLE (an MPEG-TS payload whose length is not a whole number of 188-byte packets is
 * reported as truncated without parsing); a readable container without video frames is NO_FRAMES.
 */
public final class SegmentDecoder {
    private static final int TS_PACKET_BYTES = 188;

    private final boolean motionVectors;
    private final InterlacedInput interlaced;

    /** A decoder that returns frames only and deinterlaces interlaced video. */
    public SegmentDecoder() {
        this(false);
    }

    /**
     * @param motionVectors also return each frame's motion vectors as a {@link
     *     org.sdatc.enhancer.tensor.MotionField} ({@link DecodedSegment#motion()}), for the engine's
     *     motion-vector flow source; off by default, since it costs decode time and memory
     */
    public SegmentDecoder(boolean motionVectors) {
        this(motionVectors, InterlacedInput.DEINTERLACE);
    }

    /**
     * @param motionVectors as {@link #SegmentDecoder(boolean)}
     * @param interlaced whether interlaced video is deinterlaced or refused (INTERLACED)
     */
    public SegmentDecoder(boolean motionVectors, InterlacedInput interlaced) {
        this.motionVectors = motionVectors;
        this.interlaced = java.util.Objects.requireNonNull(interlaced, "interlaced");
    }

    public boolean motionVectors() {
        return motionVectors;
    }

    public DecodedSegment decode(byte[] payload, ContainerFormat container, VideoCodec codec, DecodeLimits limits) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(limits, "limits");
        if (payload.length > limits.maxPayloadBytes()) {
            throw new MediaException(
                    MediaException.Reason.LIMIT_EXCEEDED,
                    "payload is " + payload.length + " bytes, above the limit of " + limits.maxPayloadBytes()
                            + " bytes; send shorter segments or raise the payload limit");
        }
        if (payload.length == 0) {
            throw new MediaException(MediaException.Reason.UNDECODABLE, "payload is empty");
        }
        if (container == ContainerFormat.MPEGTS) {
            checkTsFraming(payload);
        }
        String what = describe(container, codec) + " payload";
        // The exact size limit is checked against the stream's headers; this cap is the backstop that
        // stops FFmpeg allocating a huge frame for a lying stream. Decoders allocate whole
        // macroblocks/CTUs plus alignment, so leave room above the picture size.
        long maxPixels = (long) (limits.maxWidth() + 128) * (limits.maxHeight() + 128);
        try (MemoryInput input = MemoryInput.open(payload, demuxer(container, codec), describe(container, codec));
                VideoReader reader = new VideoReader(input.format(), what, maxPixels)) {
            AVCodecParameters params = reader.params();
            checkCodec(params.codec_id(), codec);
            Consumer<int[]> sizeCheck = size -> {
                if (size[0] > limits.maxWidth() || size[1] > limits.maxHeight()) {
                    throw tooLarge(size[0], size[1], limits, "declared in the stream header");
                }
            };
            sizeCheck.accept(reader.declaredSize());
            reader.beforeEachPacket(sizeCheck);
            Rational timeBase = Av.rational(reader.stream().time_base());
            reader.openDecoder(true, motionVectors);
            List<Image> frames = new ArrayList<>();
            List<MotionField> motion = motionVectors ? new ArrayList<>() : null;
            long[] pts = new long[16];
            Rational frameRate = reader.frameRate();
            Consumer<AVFrame> damageCheck = frame -> {
                if ((frame.flags() & Av.FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags() != 0) {
                    throw new MediaException(
                            MediaException.Reason.UNDECODABLE,
                            what + " frame " + frames.size() + " is damaged (missing references or"
                                    + " slices); resend the segment complete, starting with a keyframe");
                }
            };
            try (FrameScaler scaler = new FrameScaler();
                    ProgressiveFrames progressive = new ProgressiveFrames(reader, interlaced, what, damageCheck)) {
                for (AVFrame frame = progressive.next(); frame != null; frame = progressive.next()) {
                    if (frames.size() == limits.maxFrames()) {
                        throw new MediaException(
                                MediaException.Reason.LIMIT_EXCEEDED,
                                "segment has more than " + limits.maxFrames()
                                        + " frames, the frame limit; send shorter segments or raise the limit");
                    }
                    if (frame.width() > limits.maxWidth() || frame.height() > limits.maxHeight()) {
                        throw tooLarge(frame.width(), frame.height(), limits, "in a frame");
                    }
                    if (!frames.isEmpty()
                            && (frame.width() != frames.get(0).width()
                                    || frame.height() != frames.get(0).height())) {
                        throw new MediaException(
                                MediaException.Reason.UNSUPPORTED_FORMAT,
                                what + " changes frame size mid-segment ("
                                        + frames.get(0).width() + "x"
                                        + frames.get(0).height() + " to " + frame.width() + "x" + frame.height()
                                        + "); start a new segment at a size change");
                    }
                    if (frames.size() == pts.length) {
                        pts = Arrays.copyOf(pts, pts.length * 2);
                    }
                    pts[frames.size()] = timestamp(frame, frames.size(), pts, timeBase, frameRate);
                    frames.add(toImage(scaler, frame, frames.size(), what));
                    if (motion != null) {
                        // The first frame of a segment has no predecessor in it, whatever it is coded as;
                        // a deinterlaced frame's vectors are the fields', not the frame's.
                        motion.add(
                                motion.isEmpty() || progressive.deinterlacing()
                                        ? null
                                        : MotionVectors.of(frame, reader.reorders()));
                    }
                }
            }
            if (frames.isEmpty()) {
                throw new MediaException(
                        MediaException.Reason.NO_FRAMES,
                        what + " holds no video frames; check that the producer writes video packets");
            }
            if (frameRate == null) {
                frameRate = estimateFrameRate(pts, frames.size(), timeBase);
            }
            Image first = frames.get(0);
            return new DecodedSegment(
                    frames,
                    Arrays.copyOf(pts, frames.size()),
                    timeBase,
                    frameRate,
                    first.width(),
                    first.height(),
                    motion);
        }
    }

    /**
     * MPEG-TS is a sequence of 188-byte packets each starting with the sync byte 0x47: a payload that
     * is not is another format (UNSUPPORTED_FORMAT), one whose length is off is truncated (UNDECODABLE).
     */
    private static void checkTsFraming(byte[] payload) {
        for (int i = 0; i < payload.length; i += TS_PACKET_BYTES) {
            if (payload[i] != 0x47) {
                throw new MediaException(
                        MediaException.Reason.UNSUPPORTED_FORMAT,
                        "payload is not MPEG-TS: no sync byte 0x47 at byte " + i + " (packet " + i / TS_PACKET_BYTES
                                + "); check the producer's container field");
            }
        }
        if (payload.length % TS_PACKET_BYTES != 0) {
            throw new MediaException(
                    MediaException.Reason.UNDECODABLE,
                    "MPEG-TS payload of " + payload.length + " bytes is not a whole number of 188-byte packets:"
                            + " it was truncated; resend the segment complete");
        }
    }

    /**
     * The frame's PTS (the decoder's best effort, see {@link ProgressiveFrames}); raw elementary
     * streams carry none, so those get a regular clock.
     */
    private static long timestamp(AVFrame frame, int index, long[] earlier, Rational timeBase, Rational frameRate) {
        long pts = frame.pts();
        if (pts != AV_NOPTS_VALUE) {
            return pts;
        }
        Rational rate = frameRate != null ? frameRate : new Rational(25, 1);
        long step =
                Math.max(1, Math.round((double) timeBase.den() * rate.den() / ((double) timeBase.num() * rate.num())));
        return index == 0 ? 0 : earlier[index - 1] + step;
    }

    private static Rational estimateFrameRate(long[] pts, int count, Rational timeBase) {
        if (count < 2 || pts[count - 1] <= pts[0]) {
            return new Rational(25, 1);
        }
        double seconds = (double) (pts[count - 1] - pts[0]) * timeBase.num() / timeBase.den() / (count - 1);
        return new Rational((int) Math.round(1000.0 / seconds), 1000);
    }

    private static void checkCodec(int codecId, VideoCodec declared) {
        VideoCodec found =
                codecId == AV_CODEC_ID_H264 ? VideoCodec.H264 : codecId == AV_CODEC_ID_HEVC ? VideoCodec.HEVC : null;
        if (found == null) {
            throw new MediaException(
                    MediaException.Reason.UNSUPPORTED_FORMAT,
                    "payload holds " + VideoReader.codecName(codecId) + " video, but only H.264 and HEVC are"
                            + " supported (declared " + declared.displayName() + ")");
        }
        if (found != declared) {
            throw new MediaException(
                    MediaException.Reason.UNSUPPORTED_FORMAT,
                    "payload was declared " + declared.displayName() + " but holds " + found.displayName()
                            + " video; fix the producer's codec field");
        }
    }

    /**
     * A frame libswscale cannot convert is the input's problem (an exotic pixel format or frame
     * layout), not the service's: it is refused like any other unsupported input.
     */
    private static Image toImage(FrameScaler scaler, AVFrame frame, int index, String what) {
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

    private static MediaException tooLarge(int width, int height, DecodeLimits limits, String where) {
        return new MediaException(
                MediaException.Reason.LIMIT_EXCEEDED,
                "video is " + width + "x" + height + " (" + where + "), above the limit of " + limits.maxWidth() + "x"
                        + limits.maxHeight() + "; send a smaller resolution or raise the size limit");
    }

    private static String demuxer(ContainerFormat container, VideoCodec codec) {
        return switch (container) {
            case MPEGTS -> "mpegts";
            case FMP4 -> "mov";
            case ANNEXB -> codec == VideoCodec.H264 ? "h264" : "hevc";
        };
    }

    private static String describe(ContainerFormat container, VideoCodec codec) {
        return switch (container) {
            case MPEGTS -> "MPEG-TS";
            case FMP4 -> "MP4";
            case ANNEXB -> codec.displayName() + " Annex B";
        };
    }
}
