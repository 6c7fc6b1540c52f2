package org.sdatc.enhancer.media;

/** How a segment's video bitstream is packaged, as declared by its producer. */
public enum ContainerFormat {
    /** MPEG transport stream (188-byte packets, 90 kHz timestamps). */
    MPEGTS,
    /** Fragmented (or plain) ISO BMFF / MP4; read by FFmpeg's mov demuxer. */
    FMP4,
    /** Raw Annex B elementary stream (start codes, no container, no timestamps of its own). */
    ANNEXB
}
