package org.sdatc.enhancer.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WindowPlannerTest {

    @Test
    void segmentFramesAreEmittedExactlyOnceInOrderForEveryShape() {
        for (int length = 1; length <= 7; length++) {
            for (int context = 0; context < length; context++) {
                WindowPlanner planner = new WindowPlanner(length, context);
                for (int tail = 0; tail <= context; tail++) {
                    for (int segment = 1; segment <= 40; segment++) {
                        String where =
                                "length " + length + " context " + context + " tail " + tail + " segment " + segment;
                        List<WindowSpan> plan = planner.plan(tail, segment);
                        int expectedNext = tail;
                        for (WindowSpan w : plan) {
                            int[] f = w.frames();
                            assertEquals(length, f.length, where);
                            for (int i = 0; i < w.emitCount(); i++) {
                                assertEquals(expectedNext++, f[w.emitStart() + i], where + " " + w);
                            }
                            for (int i = 1; i < f.length; i++) {
                                assertTrue(f[i] >= f[i - 1] && f[i] <= f[i - 1] + 1, where + " " + w);
                            }
                            assertTrue(f[0] >= 0 && f[f.length - 1] < tail + segment, where + " " + w);
                        }
                        assertEquals(tail + segment, expectedNext, where);
                    }
                }
            }
        }
    }

    @Test
    void windowsTakeLeftContextFromThePreviousSegmentsTail() {
        List<WindowSpan> plan = new WindowPlanner(5, 2).plan(2, 8);

        assertEquals(3, plan.size());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, plan.get(0).frames());
        assertEquals(2, plan.get(0).emitStart());
        assertArrayEquals(new int[] {3, 4, 5, 6, 7}, plan.get(1).frames());
        // The last window borrows an extra frame of context rather than running short.
        assertArrayEquals(new int[] {5, 6, 7, 8, 9}, plan.get(2).frames());
        assertEquals(3, plan.get(2).emitStart());
        assertEquals(2, plan.get(2).emitCount());
    }

    @Test
    void aStreamStartWithoutTailEmitsTheWholeFirstWindow() {
        List<WindowSpan> plan = new WindowPlanner(5, 2).plan(0, 6);

        assertEquals(new WindowSpan(new int[] {0, 1, 2, 3, 4}, 0, 5), plan.get(0));
        assertEquals(new WindowSpan(new int[] {1, 2, 3, 4, 5}, 4, 1), plan.get(1));
    }

    @Test
    void aSequenceShorterThanAWindowRepeatsItsLastFrame() {
        List<WindowSpan> plan = new WindowPlanner(5, 2).plan(1, 2);

        assertEquals(List.of(new WindowSpan(new int[] {0, 1, 2, 2, 2}, 1, 2)), plan);
    }

    @Test
    void tailKeepsAtMostContextFrames() {
        WindowPlanner planner = new WindowPlanner(5, 2);

        assertEquals(2, planner.tailAfter(0, 30));
        assertEquals(1, planner.tailAfter(0, 1));
        assertEquals(2, planner.tailAfter(1, 1));
    }

    @Test
    void contextMustLeaveRoomForNewFrames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WindowPlanner(5, 5));
        assertTrue(e.getMessage().contains("context"), e.getMessage());
    }
}
