package org.sdatc.enhancer.engine;

import java.nio.charset.StandardCharsets;

/**
 * Which window of which segment of which stream. Everything random in the engine is seeded from
 * it, so reprocessing a segment after a crash gives the same bytes.
 */
public record WindowId(String streamId, long sequence, int window) {

    /** A 64-bit seed mixed from all three parts (FNV-1a over the stream id, then SplitMix64). */
    public long seed() {
        long h = 0xcbf29ce484222325L;
        for (byte b : streamId.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h = mix(h ^ sequence);
        return mix(h ^ window);
    }

    private static long mix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
