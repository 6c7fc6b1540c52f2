package org.sdatc.enhancer.media;

/**
 * What to do with interlaced video (two fields per frame, common in broadcast), which libswscale
 * cannot convert to progressive RGB as is.
 */
public enum InterlacedInput {
    /** Deinterlace with FFmpeg's bwdif filter: one progressive frame per frame, same timestamps. */
    DEINTERLACE,
    /** Refuse the segment ({@link MediaException.Reason#INTERLACED}). */
    REJECT
}
