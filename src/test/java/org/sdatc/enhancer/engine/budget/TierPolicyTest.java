package org.sdatc.enhancer.engine.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.Tier;

/** The latency ladder's decisions, from given costs and lags (no clock, no Kafka). */
class TierPolicyTest {
    private static final Set<Tier> ALL = EnumSet.allOf(Tier.class);
    private static final Rung FULL4 = new Rung(Tier.FULL, 4);
    private static final Rung FULL2 = new Rung(Tier.FULL, 2);
    private static final Rung FULL1 = new Rung(Tier.FULL, 1);
    private static final Rung DCM = Rung.of(Tier.DCM);
    private static final Rung LITE = Rung.of(Tier.LITE);
    private static final Rung BICUBIC = Rung.of(Tier.BICUBIC);

    /** ms per frame: a 25-frame segment at full@4 takes 5 s, at dcm 1 s, at bicubic 50 ms. */
    private static final Function<Rung, OptionalDouble> COSTS =
            costs(Map.of(FULL4, 200.0, FULL2, 100.0, FULL1, 50.0, DCM, 40.0, BICUBIC, 2.0));

    private final TierPolicy policy = TierPolicy.of(List.of(FULL4, FULL2, FULL1, DCM, BICUBIC), 3000);

    @Test
    void theLadderHalvesTheStepsThenDropsToDcmThenLiteThenBicubic() {
        assertEquals(
                List.of(new Rung(Tier.FULL, 8), FULL4, FULL2, FULL1, DCM, LITE, BICUBIC),
                TierPolicy.ladder(ALL, t -> true, Tier.FULL, 8));
        assertEquals(
                List.of(new Rung(Tier.FULL, 3), FULL1, DCM, LITE, BICUBIC),
                TierPolicy.ladder(ALL, t -> true, Tier.FULL, 3));
    }

    @Test
    void anUntrainedLiteModelIsLeftOffTheLadder() {
        assertEquals(
                List.of(DCM, BICUBIC),
                TierPolicy.ladder(EnumSet.of(Tier.DCM, Tier.LITE, Tier.BICUBIC), t -> t != Tier.LITE, Tier.DCM, 4));
    }

    @Test
    void aDcmOnlyModelsLadderIsDcmThenBicubic() {
        assertEquals(
                List.of(DCM, BICUBIC),
                TierPolicy.ladder(EnumSet.of(Tier.DCM, Tier.BICUBIC), t -> t != Tier.FULL, Tier.DCM, 4));
    }

    @Test
    void anUntrainedTierBelowTheTopIsLeftOffTheLadderSoItIsNeverSteppedInto() {
        // reference-tiny asked for full explicitly: its dcm is untrained, so below full comes bicubic.
        List<Rung> ladder = TierPolicy.ladder(ALL, t -> t == Tier.BICUBIC, Tier.FULL, 2);
        assertEquals(List.of(FULL2, FULL1, BICUBIC), ladder);

        // Starting at bicubic with all the headroom in the world, it climbs only to the configured top.
        TierPolicy p = TierPolicy.of(ladder, 3000);
        TierPolicy.State s = new TierPolicy.State(BICUBIC, 0);
        for (int i = 0; i < 20; i++) {
            s = p.decide(s, 0, 25, r -> OptionalDouble.of(0.1)).state();
            assertFalse(s.rung().tier() == Tier.DCM, "never an untrained dcm");
        }
        assertEquals(FULL2, s.rung());
    }

    @Test
    void aFreshStreamWithTimeToSpareRunsTheTopRung() {
        TierPolicy.Decision d = policy.decide(null, 100, 10, COSTS); // 100 + 10 * 200 = 2.1 s
        assertEquals(FULL4, d.rung());
        assertEquals(TierPolicy.Move.HOLD, d.move());
    }

    @Test
    void underLagItStepsDownToTheFirstRungThatFits() {
        // 25 frames after 600 ms of lag: full@4 5.6 s, full@2 3.1 s (just over), full@1 1.85 s.
        TierPolicy.Decision d = policy.decide(policy.initial(), 600, 25, COSTS);
        assertEquals(FULL1, d.rung());
        assertEquals(TierPolicy.Move.DOWN, d.move());
        assertEquals(1850, d.predictedMs(), 1e-9);
    }

    @Test
    void aSegmentAlreadyLateBeyondTheBudgetGoesToTheCheapestRung() {
        TierPolicy.Decision d = policy.decide(policy.initial(), 10_000, 25, COSTS);
        assertEquals(BICUBIC, d.rung());
    }

    @Test
    void itStepsUpOneRungOnlyAfterThreeSegmentsOfHeadroom() {
        TierPolicy.State s = new TierPolicy.State(BICUBIC, 0);
        // 25 frames of dcm take 1 s: under 60 % of 3 s, so each segment is headroom.
        List<Rung> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TierPolicy.Decision d = policy.decide(s, 0, 25, COSTS);
            seen.add(d.rung());
            s = d.state();
        }
        assertEquals(List.of(BICUBIC, BICUBIC, DCM, DCM), seen);
    }

    @Test
    void headroomThatIsNotSustainedResetsTheStreak() {
        TierPolicy.State s = new TierPolicy.State(BICUBIC, 0);
        s = policy.decide(s, 0, 25, COSTS).state(); // headroom: dcm predicted 1.0 s
        s = policy.decide(s, 1000, 25, COSTS).state(); // dcm predicted 2.0 s: fits, but no headroom
        assertEquals(new TierPolicy.State(BICUBIC, 0), s);
        s = policy.decide(s, 0, 25, COSTS).state();
        s = policy.decide(s, 0, 25, COSTS).state();
        assertEquals(BICUBIC, s.rung(), "two segments of headroom are not yet three");
    }

    @Test
    void aLatencyJustUnderTheBudgetNeitherStepsDownNorUpSoItDoesNotFlap() {
        // On full@1 (1.75 s for 25 frames) with 1 s of lag: 2.75 s fits; full@2 would be 3.5 s.
        TierPolicy.State s = new TierPolicy.State(FULL1, 0);
        for (int i = 0; i < 10; i++) {
            TierPolicy.Decision d = policy.decide(s, 1000, 25, COSTS);
            assertEquals(FULL1, d.rung());
            s = d.state();
        }
    }

    @Test
    void itNeverClimbsAboveTheTopRung() {
        TierPolicy.State s = policy.initial();
        for (int i = 0; i < 10; i++) {
            s = policy.decide(s, 0, 1, COSTS).state();
        }
        assertEquals(new TierPolicy.State(FULL4, 0), s);
    }

    @Test
    void aRungNoLongerOnTheLadderRestartsAtTheTop() {
        TierPolicy dcmOnly = TierPolicy.of(List.of(DCM, BICUBIC), 3000);
        assertEquals(
                DCM,
                dcmOnly.decide(new TierPolicy.State(FULL2, 2), 0, 25, COSTS).rung());
    }

    @Test
    void theSameStateLagAndCostsGiveTheSameDecision() {
        TierPolicy.State s = new TierPolicy.State(FULL2, 1);
        assertEquals(policy.decide(s, 700, 25, COSTS), policy.decide(s, 700, 25, COSTS));
    }

    @Test
    void costsAreMovingAveragesOfWhatWasMeasured() {
        RungCosts costs = new RungCosts();
        assertFalse(costs.known(480, 270, DCM));
        costs.observe(480, 270, DCM, 100);
        costs.observe(480, 270, DCM, 200);
        assertEquals(
                100 + RungCosts.ALPHA * 100, costs.msPerFrame(480, 270, DCM).orElseThrow(), 1e-9);
        assertFalse(costs.known(960, 540, DCM), "costs are per resolution");
    }

    private static Function<Rung, OptionalDouble> costs(Map<Rung, Double> ms) {
        return r -> ms.containsKey(r) ? OptionalDouble.of(ms.get(r)) : OptionalDouble.empty();
    }
}
