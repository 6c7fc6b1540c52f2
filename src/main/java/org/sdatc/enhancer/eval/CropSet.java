package org.sdatc.enhancer.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sdatc.enhancer.tensor.Image;

/**
 * The detailed region of one clip at one CRF, side by side: the low-resolution input (nearest
 * neighbour), each method's output, and the ground truth, all at ground-truth scale.
 *
 * @param byMethod in method order, bicubic first
 */
public record CropSet(
        String clip, int crf, DetailRegion region, Image lowRes, Map<String, Image> byMethod, Image truth) {
    public CropSet {
        byMethod = Collections.unmodifiableMap(new LinkedHashMap<>(byMethod));
    }
}
