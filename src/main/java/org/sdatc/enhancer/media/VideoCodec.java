package org.sdatc.enhancer.media;

/** Video codecs a segment may declare. */
public enum VideoCodec {
    H264("H.264"),
    HEVC("HEVC (H.265)");

    private final String displayName;

    VideoCodec(String displayName) {
        this.displayName = displayName;
    }

    /** Human-readable name for error messages. */
    public String displayName() {
        return displayName;
    }
}
