package org.sdatc.enhancer.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.tensor.Image;

/**
 * A segment streams through {@link SegmentEnhancer}: frames are read only as far ahead as the next
 * window needs and enhanced frames leave as each window is done (issue 11, defect 3: a segment of
 * hundreds of frames must not be held whole), with exactly the windows {@link WindowPlanner#plan}
 * forms for the whole segment.
 */
class SegmentEnhancerStreamingTest {
    private static final BicubicEnhancer BICUBIC = new BicubicEnhancer(4);

    @Test
    void aLongSegmentIsEnhancedWithOnlyAboutTwoWindowsOfFramesReadAhead() {
        int length = 5;
        int segment = 600;
        int[] read = {0};
        int[] handedOn = {0};
        List<Integer> aheadAtEachWindow = new ArrayList<>();
        Enhancer watching = recording(in -> aheadAtEachWindow.add(read[0] - handedOn[0]));

        SegmentEnhancer.Outcome outcome = new SegmentEnhancer(new WindowPlanner(length, 2), watching)
                .enhance(
                        "cam",
                        0,
                        () -> read[0] < segment ? new SegmentEnhancer.Frame(frame(read[0]++), null) : null,
                        SegmentEnhancer.Continuity.EMPTY,
                        CompressionHints.NONE,
                        out -> handedOn[0]++);

        assertEquals(segment, outcome.frames());
        assertEquals(segment, handedOn[0], "every frame was handed on");
        int most = aheadAtEachWindow.stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(most <= 2 * length, "at most " + most + " frames read but not yet handed on, of " + segment);
    }

    @Test
    void streamedWindowsAreExactlyThoseOfThePlanForEveryShape() {
        for (int length = 1; length <= 6; length++) {
            for (int context = 0; context < length; context++) {
                for (int tail = 0; tail <= context; tail++) {
                    for (int count = 1; count <= 17; count++) {
                        assertStreamsThePlan(length, context, tail, count);
                    }
                }
            }
        }
    }

    private static void assertStreamsThePlan(int length, int context, int tailCount, int count) {
        String where = "length " + length + " context " + context + " tail " + tailCount + " segment " + count;
        List<Image> tail = new ArrayList<>();
        for (int i = 0; i < tailCount; i++) {
            tail.add(frame(1000 + i));
        }
        List<Image> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(frame(i));
        }
        Map<Image, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < tailCount; i++) {
            index.put(tail.get(i), i);
        }
        for (int i = 0; i < count; i++) {
            index.put(frames.get(i), tailCount + i);
        }
        List<WindowInput> seen = new ArrayList<>();
        WindowPlanner planner = new WindowPlanner(length, context);
        SegmentEnhancer.Result result = new SegmentEnhancer(planner, recording(seen::add))
                .enhance("cam", 1, frames, new SegmentEnhancer.Continuity(tail, null), CompressionHints.NONE);

        List<WindowSpan> plan = planner.plan(tailCount, count);
        assertEquals(plan.size(), seen.size(), where);
        for (int w = 0; w < plan.size(); w++) {
            int[] got = seen.get(w).frames().stream().mapToInt(index::get).toArray();
            assertArrayEquals(plan.get(w).frames(), got, where + " window " + w);
            assertEquals(plan.get(w).emitStart(), seen.get(w).emitStart(), where);
        }
        assertEquals(count, result.frames().size(), where);
        int keep = planner.tailAfter(tailCount, count);
        List<Image> sequence = new ArrayList<>(tail);
        sequence.addAll(frames);
        for (int i = 0; i < keep; i++) {
            assertSame(
                    sequence.get(sequence.size() - keep + i),
                    result.next().tail().get(i),
                    where + " tail");
        }
    }

    private static Image frame(int i) {
        Image img = Image.blank(4, 4);
        img.rgb()[0] = (byte) i;
        return img;
    }

    private static Enhancer recording(java.util.function.Consumer<WindowInput> onWindow) {
        return new Enhancer() {
            @Override
            public EnhancerInfo info() {
                return BICUBIC.info();
            }

            @Override
            public WindowOutput enhance(WindowInput in) {
                onWindow.accept(in);
                return BICUBIC.enhance(in);
            }
        };
    }
}
