package org.sdatc.enhancer.engine.budget;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdatc.enhancer.engine.Enhancer;

/**
 * The rungs a stream may run, best first, each with the enhancer that runs it. The enhancers share
 * their owner's sessions; closing the owner closes them.
 */
public final class Ladder {
    private final Map<Rung, Enhancer> rungs;

    public Ladder(Map<Rung, Enhancer> rungs) {
        if (rungs.isEmpty()) {
            throw new IllegalArgumentException("a ladder needs at least one rung");
        }
        this.rungs = new LinkedHashMap<>(rungs);
    }

    /** One enhancer, one rung: no choice to make. */
    public static Ladder single(Enhancer enhancer) {
        var info = enhancer.info();
        return new Ladder(Map.of(new Rung(info.tier(), info.steps()), enhancer));
    }

    public List<Rung> rungs() {
        return List.copyOf(rungs.keySet());
    }

    public Rung top() {
        return rungs.keySet().iterator().next();
    }

    public Enhancer at(Rung rung) {
        Enhancer e = rungs.get(rung);
        if (e == null) {
            throw new IllegalArgumentException("rung " + rung + " is not on the ladder " + rungs.keySet());
        }
        return e;
    }
}
