package org.sdatc.enhancer.engine.budget;

import org.sdatc.enhancer.engine.Tier;

/**
 * One rung of the latency ladder: a tier and, for {@code full}, its denoising steps (0 for tiers
 * without diffusion).
 */
public record Rung(Tier tier, int steps) {
    public Rung {
        if (tier == null) {
            throw new IllegalArgumentException("a rung needs a tier");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("tier " + tier.tag() + " cannot run " + steps + " steps");
        }
    }

    public static Rung of(Tier tier) {
        return new Rung(tier, 0);
    }

    /** {@code full@4}, {@code dcm}, {@code bicubic}: for logs and the demo's summary. */
    @Override
    public String toString() {
        return tier == Tier.FULL ? tier.tag() + "@" + steps : tier.tag();
    }
}
