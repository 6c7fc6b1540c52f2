package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_HEVC;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
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
 * frame is decoded, the decoded pixels (width x height x frames) from the declared frame count
 * before decoding and again while decoding, and the frame count while decoding (it stops at {@code
 * maxFrames + 1}).
 *
 * <p>{@link #open} hands out one frame at a time ({@link SegmentFrames}), so a caller that streams
 * them (the stream processor, {@code enhance}) never holds a whole segment: a decompression bomb
 * (hundreds of black frames in a few kilobytes) costs time, bounded by the pixel limit, not memory.
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

    /**
     * Decodes the whole segment into memory. For segments of unknown cost prefer {@link #open}, which
     * hands out one frame at a time.
     */
    public DecodedSegment decode(byte[] payload, ContainerFormat container, VideoCodec codec, DecodeLimits limits) {
        try (SegmentFrames frames = open(payload, container, codec, limits, 0)) {
            List<Image> images = new ArrayList<>();
            List<MotionField> motion = motionVectors ? new ArrayList<>() : null;
            for (DecodedFrame f = frames.next(); f != null; f = frames.next()) {
                images.add(f.image());
                if (motion != null) {
                    motion.add(f.motion());
                }
            }
            long[] pts = frames.pts();
            Rational frameRate = frames.frameRate();
            if (frameRate == null) {
                frameRate = estimateFrameRate(pts, images.size(), frames.timeBase());
            }
            return new DecodedSegment(
                    images, pts, frames.timeBase(), frameRate, frames.width(), frames.height(), motion);
        }
    }

    /**
     * Opens a segment for decoding frame by frame: everything the headers allow is checked here,
     * before any frame is converted (payload size, container framing, codec, the frame size the
     * stream declares, and, with a declared frame count, the segment's decoded pixels); the first
     * frame is decoded so that size and first timestamp are known. The rest is checked frame by
     * frame as {@link SegmentFrames#next()} hands them out.
     *
     * @param declaredFrames the frame count the producer declared, or 0 when it did not: then the
     *     pixel budget bounds the frame count while decoding, and a count that differs is
     *     FRAME_COUNT_MISMATCH
     */
    public SegmentFrames open(
            byte[] payload, ContainerFormat container, VideoCodec codec, DecodeLimits limits, int declaredFrames) {
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
        MemoryInput input = MemoryInput.open(payload, demuxer(container, codec), describe(container, codec));
        VideoReader reader = null;
        try {
            reader = new VideoReader(input.format(), what, maxPixels);
            checkCodec(reader.params().codec_id(), codec);
            Consumer<int[]> headerCheck = size -> {
                if (size[0] > limits.maxWidth() || size[1] > limits.maxHeight()) {
                    throw tooLarge(size[0], size[1], limits, "declared in the stream header");
                }
                long pixels = (long) size[0] * size[1] * declaredFrames;
                if (pixels > limits.maxPixelsPerSegment()) {
                    throw new MediaException(
                            MediaException.Reason.LIMIT_EXCEEDED,
                            "segment declares " + declaredFrames + " frames of " + size[0] + "x" + size[1] + " = "
                                    + pixels + " decoded pixels, above the limit of " + limits.maxPixelsPerSegment()
                                    + " per segment; send shorter or smaller segments or raise the limit");
                }
            };
            headerCheck.accept(reader.declaredSize());
            reader.beforeEachPacket(headerCheck);
            reader.openDecoder(true, motionVectors);
        } catch (RuntimeException e) {
            if (reader != null) {
                reader.close();
            }
            input.close();
            throw e;
        }
        // Owns input and reader from here, and closes them if its first frame fails.
        return new SegmentFrames(input, reader, interlaced, motionVectors, limits, declaredFrames, what);
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

    static Rational estimateFrameRate(long[] pts, int count, Rational timeBase) {
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

    static MediaException tooLarge(int width, int height, DecodeLimits limits, String where) {
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
