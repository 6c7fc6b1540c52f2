package org.sdatc.enhancer.engine.sdatc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TileTest {

    @Test
    void shouldCutA1080pOutputIntoFourTilesWithJustTheRequestedOverlap() {
        List<Tile> tiles = Tile.plan(480, 270, 4, 1024, 64);
        assertEquals(
                List.of(
                        new Tile(0, 0, 248, 143),
                        new Tile(232, 0, 248, 143),
                        new Tile(0, 127, 248, 143),
                        new Tile(232, 127, 248, 143)),
                tiles);
    }

    @Test
    void shouldCoverEveryPixelWithOverlapAtLeastTheRequestedOneForManySizes() {
        for (int w = 20; w < 700; w += 37) {
            for (int size : new int[] {128, 256, 1024}) {
                List<Tile> tiles = Tile.plan(w, w / 2 + 3, 4, size, 32);
                int[] cover = new int[w];
                for (Tile t : tiles) {
                    assertTrue(t.width() * 4 <= Math.max(size, 4 * 2), "tile wider than " + size + ": " + t);
                    assertTrue(t.x() + t.width() <= w, "tile past the frame: " + t);
                    for (int x = t.x(); x < t.x() + t.width(); x++) {
                        cover[x]++;
                    }
                }
                for (Tile a : tiles) {
                    for (Tile b : tiles) {
                        if (a.y() == b.y() && b.x() > a.x() && b.x() < a.x() + a.width()) {
                            assertTrue(a.x() + a.width() - b.x() >= 8, "overlap below 32 output px: " + a + " " + b);
                        }
                    }
                }
                for (int x = 0; x < w; x++) {
                    assertTrue(cover[x] > 0, "column " + x + " of width " + w + " not covered");
                }
            }
        }
    }
}
