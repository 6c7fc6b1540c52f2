package org.sdatc.enhancer.eval;

import java.nio.file.Path;

/**
 * A ground-truth clip as the report describes it.
 *
 * @param ownBrisque mean BRISQUE of the ground truth itself (NaN when unavailable): the naturalness
 *     a method would ideally reach
 * @param ownWarpError mean warping error of the ground truth with its own flow: what a method that
 *     reproduced the true frames would score (blurrier output scores lower)
 */
public record ClipSummary(
        String name,
        Path source,
        int frames,
        int width,
        int height,
        double fps,
        double ownBrisque,
        double ownWarpError) {}
