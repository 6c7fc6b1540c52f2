package org.sdatc.enhancer.engine.budget;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.sdatc.enhancer.engine.Tier;

/**
 * Picks the rung for a stream's next segment so that its end-to-end latency (producer timestamp to
 * publication) stays within the budget. Pure: the same state, lag and costs give the same choice,
 * so it is tested without Kafka, and its memory ({@link State}) lives in the stream's state store.
 *
 * <p>The prediction for a rung is {@code lag + frames * (cost(rung) + overhead)}, where lag is the
 * time already spent since the producer's timestamp. When the current rung's prediction is over
 * the budget, the policy steps down to the first rung below it that fits (the cheapest when none
 * does). It steps up one rung only after {@link #upAfter} consecutive segments in which the rung
 * above would have finished under {@link #upFraction} of the budget: the gap between that fraction
 * and 1 is the hysteresis that keeps a stream from flapping between two rungs.
 *
 * @param ladder rungs, best (the configured top) first, cheapest last
 * @param budgetMs the most time from producer timestamp to publication
 * @param upFraction the rung above must be predicted under this fraction of the budget
 * @param upAfter consecutive segments of such headroom before stepping up
 */
public record TierPolicy(List<Rung> ladder, long budgetMs, double upFraction, int upAfter) {
    public static final double DEFAULT_UP_FRACTION = 0.6;
    public static final int DEFAULT_UP_AFTER = 3;

    public TierPolicy {
        ladder = List.copyOf(ladder);
        if (ladder.isEmpty()) {
            throw new IllegalArgumentException("a latency ladder needs at least one rung");
        }
        if (budgetMs <= 0) {
            throw new IllegalArgumentException("sdatc.latency.budget.ms must be positive, got " + budgetMs);
        }
        if (!(upFraction > 0 && upFraction < 1)) {
            throw new IllegalArgumentException("the step-up fraction must be in (0, 1), got " + upFraction);
        }
        if (upAfter < 1) {
            throw new IllegalArgumentException("step-up needs at least one segment of headroom, got " + upAfter);
        }
    }

    public static TierPolicy of(List<Rung> ladder, long budgetMs) {
        return new TierPolicy(ladder, budgetMs, DEFAULT_UP_FRACTION, DEFAULT_UP_AFTER);
    }

    /**
     * The ladder below {@code top}: {@code full} at {@code steps}, then halving the steps down to 1,
     * then {@code dcm}, then {@code bicubic}; only tiers the model has, and below the top only
     * trained ones, so the policy never steps (back) up into an untrained tier.
     */
    public static List<Rung> ladder(Set<Tier> available, Predicate<Tier> trained, Tier top, int steps) {
        List<Rung> rungs = new ArrayList<>();
        for (Tier tier : Tier.values()) {
            if (tier.ordinal() < top.ordinal() || !available.contains(tier)) {
                continue;
            }
            if (tier != top && !trained.test(tier)) {
                continue;
            }
            if (tier == Tier.FULL) {
                for (int s = steps; s >= 1; s = s == 1 ? 0 : Math.max(1, s / 2)) {
                    rungs.add(new Rung(Tier.FULL, s));
                }
            } else {
                rungs.add(Rung.of(tier));
            }
        }
        return rungs;
    }

    /** What the policy remembers about a stream: the rung it is on and its headroom streak. */
    public record State(Rung rung, int headroomStreak) {}

    public enum Move {
        HOLD,
        DOWN,
        UP
    }

    /**
     * @param rung where the segment runs
     * @param headroomStreak the streak to remember
     * @param predictedMs the predicted end-to-end latency at that rung
     * @param move how it got there
     */
    public record Decision(Rung rung, int headroomStreak, double predictedMs, Move move) {
        public State state() {
            return new State(rung, headroomStreak);
        }
    }

    /** Where a stream starts: the top rung, no streak. */
    public State initial() {
        return new State(ladder.get(0), 0);
    }

    /**
     * @param previous the stream's state, or null for a new stream (or one whose rung is no longer on
     *     the ladder, for example after a configuration change)
     * @param lagMs time since the producer's timestamp (0 when unknown)
     * @param frames frames in the segment
     * @param msPerFrame each rung's cost (rung included, overhead included); empty when unknown, then
     *     taken as 0, which the caller avoids by warming up
     */
    public Decision decide(State previous, long lagMs, int frames, Function<Rung, OptionalDouble> msPerFrame) {
        int current = previous == null ? -1 : ladder.indexOf(previous.rung());
        int streak = previous == null ? 0 : previous.headroomStreak();
        if (current < 0) {
            current = 0;
            streak = 0;
        }
        double lag = Math.max(0, lagMs);
        double here = predict(current, lag, frames, msPerFrame);
        if (here > budgetMs) {
            int i = current;
            while (i < ladder.size() - 1 && predict(i, lag, frames, msPerFrame) > budgetMs) {
                i++;
            }
            return new Decision(
                    ladder.get(i), 0, predict(i, lag, frames, msPerFrame), i == current ? Move.HOLD : Move.DOWN);
        }
        if (current > 0 && predict(current - 1, lag, frames, msPerFrame) <= upFraction * budgetMs) {
            streak++;
            if (streak >= upAfter) {
                return new Decision(ladder.get(current - 1), 0, predict(current - 1, lag, frames, msPerFrame), Move.UP);
            }
            return new Decision(ladder.get(current), streak, here, Move.HOLD);
        }
        return new Decision(ladder.get(current), 0, here, Move.HOLD);
    }

    private double predict(int rung, double lagMs, int frames, Function<Rung, OptionalDouble> msPerFrame) {
        return lagMs + frames * msPerFrame.apply(ladder.get(rung)).orElse(0);
    }
}
