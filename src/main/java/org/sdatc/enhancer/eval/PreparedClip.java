package org.sdatc.enhancer.eval;

import java.util.List;

/**
 * A ground-truth clip with what every run on it is measured against, computed once: its luma
 * planes, its own motion, its own BRISQUE scores and the detailed region the report crops.
 *
 * @param brisque per frame, NaN where BRISQUE is unavailable
 */
public record PreparedClip(
        GroundTruth truth, List<Luma> luma, ReferenceMotion motion, double[] brisque, DetailRegion region) {
    public PreparedClip {
        luma = List.copyOf(luma);
    }
}
