package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FORCE;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A demuxer reading a byte array held in native memory, with no temporary file.
 *
 * <p>JavaCPP backs each callback object with one of a few native thunks per class, so creating a
 * callback per segment would run out under load. The read and seek callbacks are therefore single
 * immutable objects, and all per-input state (size, position, bytes) lives in the native block
 * FFmpeg hands back as {@code opaque}: {@code [size:int64][position:int64][bytes...]}.
 */
final class MemoryInput implements AutoCloseable {
    private static final int HEADER_BYTES = 16;
    private static final int IO_BUFFER_BYTES = 64 * 1024;
    private static final ReadCallback READ = new ReadCallback();
    private static final SeekCallback SEEK = new SeekCallback();

    private final BytePointer block;
    private final AVIOContext io;
    private final AVFormatContext format;
    private boolean closed;

    private MemoryInput(BytePointer block, AVIOContext io, AVFormatContext format) {
        this.block = block;
        this.io = io;
        this.format = format;
    }

    /**
     * Opens {@code payload} with the named demuxer (forced, not guessed: the producer declared the
     * container). Throws {@link MediaException} (UNSUPPORTED_FORMAT) when the demuxer refuses it.
     */
    static MemoryInput open(byte[] payload, String demuxer, String containerName) {
        AVInputFormat inputFormat = av_find_input_format(demuxer);
        if (inputFormat == null) {
            throw new IllegalStateException("the FFmpeg build on the classpath has no '" + demuxer + "' demuxer");
        }
        BytePointer block = new BytePointer(HEADER_BYTES + (long) payload.length);
        new LongPointer(block).put(0, payload.length).put(1, 0L);
        block.position(HEADER_BYTES).put(payload).position(0);
        BytePointer ioBuffer = new BytePointer(av_malloc(IO_BUFFER_BYTES)).capacity(IO_BUFFER_BYTES);
        AVIOContext io = avio_alloc_context(ioBuffer, IO_BUFFER_BYTES, 0, block, READ, null, SEEK);
        AVFormatContext format = avformat_alloc_context();
        format.pb(io);
        // A pb set before avformat_open_input marks the context AVFMT_FLAG_CUSTOM_IO: FFmpeg will not close it.
        int ret = avformat_open_input(format, (String) null, inputFormat, null);
        if (ret < 0) {
            // avformat_open_input frees the context on failure; the I/O context is ours.
            freeIo(io);
            block.close();
            throw new MediaException(
                    MediaException.Reason.UNSUPPORTED_FORMAT,
                    "payload is not readable as " + containerName + " (" + Av.describe(ret)
                            + "); check the producer's container field");
        }
        return new MemoryInput(block, io, format);
    }

    AVFormatContext format() {
        return format;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        avformat_close_input(format);
        freeIo(io);
        block.close();
    }

    private static void freeIo(AVIOContext io) {
        // FFmpeg may have replaced the buffer it was given; free whichever it holds now.
        av_free(io.buffer());
        avio_context_free(io);
    }

    private static final class ReadCallback extends Read_packet_Pointer_BytePointer_int {
        @Override
        public int call(Pointer opaque, BytePointer buf, int bufSize) {
            LongPointer header = new LongPointer(opaque);
            long size = header.get(0);
            long position = header.get(1);
            long n = Math.min(bufSize, size - position);
            if (n <= 0) {
                return AVERROR_EOF;
            }
            Pointer.memcpy(buf, new BytePointer(opaque).position(HEADER_BYTES + position), n);
            header.put(1, position + n);
            return (int) n;
        }
    }

    private static final class SeekCallback extends Seek_Pointer_long_int {
        @Override
        public long call(Pointer opaque, long offset, int whence) {
            LongPointer header = new LongPointer(opaque);
            long size = header.get(0);
            int how = whence & ~AVSEEK_FORCE;
            if (how == AVSEEK_SIZE) {
                return size;
            }
            long target = switch (how) {
                case 0 -> offset; // SEEK_SET
                case 1 -> header.get(1) + offset; // SEEK_CUR
                case 2 -> size + offset; // SEEK_END
                default -> -1;
            };
            if (target < 0 || target > size) {
                return avutil.AVERROR_EINVAL();
            }
            header.put(1, target);
            return target;
        }
    }
}
