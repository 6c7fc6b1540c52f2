package org.sdatc.enhancer.stream;

import java.util.ArrayList;
import java.util.List;
import org.sdatc.enhancer.tensor.Image;

/**
 * Frames for timing a rung before a stream's first segment at a new resolution: edges, texture and
 * motion, so the enhancer does the work it does on video (flat frames would flatter some stages).
 */
final class SyntheticWindow {
    private SyntheticWindow() {}

    static List<Image> frames(int width, int height, int count) {
        List<Image> frames = new ArrayList<>(count);
        for (int f = 0; f < count; f++) {
            byte[] rgb = new byte[width * height * 3];
            int i = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int u = x + 2 * f;
                    int v = y + f;
                    int checker = ((u >> 3) ^ (v >> 3)) & 1;
                    int hash = (u * 73856093) ^ (v * 19349663);
                    rgb[i++] = (byte) (checker * 160 + (hash & 31));
                    rgb[i++] = (byte) ((u * 255) / Math.max(1, width));
                    rgb[i++] = (byte) ((v * 255) / Math.max(1, height));
                }
            }
            frames.add(new Image(width, height, rgb));
        }
        return frames;
    }
}
