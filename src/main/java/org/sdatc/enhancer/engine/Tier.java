package org.sdatc.enhancer.engine;

import java.util.Locale;

/**
 * Quality tiers, best and slowest first. The engine can run any tier a model has stages for, per
 * segment; the latency budget steps down the list when time is short.
 */
public enum Tier {
    /** DCM, then latent diffusion with ControlNet, flow guidance and the STAM/CFW decoder. */
    FULL,
    /** The DCM's restored frames (Eq. 5) and the colour fix: no diffusion. */
    DCM,
    /** The same with the lite model's smaller DCM (sdatc.model.lite): the fast trained tier. */
    LITE,
    /** Bicubic x4: the baseline, always available. */
    BICUBIC;

    /** The name in settings, output segments and metrics. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "full, dcm, lite, bicubic": for messages and help. */
    public static String tags() {
        return String.join(
                ", ", java.util.Arrays.stream(values()).map(Tier::tag).toList());
    }

    public static Tier fromTag(String tag) {
        for (Tier t : values()) {
            if (t.tag().equals(tag)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown tier '" + tag + "': one of " + tags());
    }
}
