package org.sdatc.enhancer.eval;

import org.sdatc.enhancer.tensor.Image;

/**
 * The square of a frame with the most detail, where methods differ most visibly: the window with the
 * largest sum of luma gradient magnitude ({@code |dY/dx| + |dY/dy|}). Its corner and side are
 * multiples of 4, so the same region of the low-resolution frame is whole pixels.
 *
 * @param frame index of the frame in the clip
 */
public record DetailRegion(int frame, int x, int y, int size) {
    /** Side of the crop in ground-truth pixels (32 low-resolution pixels), smaller for small frames. */
    public static final int SIZE = 128;

    /** The most detailed {@link #SIZE} square of {@code truth} (frame {@code index}). */
    public static DetailRegion find(Image truth, int index) {
        int size = Math.min(SIZE, Math.min(truth.width(), truth.height())) / 4 * 4;
        Luma luma = Luma.of(truth);
        int w = truth.width();
        int h = truth.height();
        // Integral image of the gradient magnitude: any window's sum in four lookups.
        long[] integral = new long[(w + 1) * (h + 1)];
        for (int y = 0; y < h; y++) {
            long row = 0;
            for (int x = 0; x < w; x++) {
                int gx = x + 1 < w ? Math.abs(luma.at(x + 1, y) - luma.at(x, y)) : 0;
                int gy = y + 1 < h ? Math.abs(luma.at(x, y + 1) - luma.at(x, y)) : 0;
                row += gx + gy;
                integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
            }
        }
        int bestX = 0;
        int bestY = 0;
        long best = -1;
        for (int y = 0; y + size <= h; y += 4) {
            for (int x = 0; x + size <= w; x += 4) {
                long sum = integral[(y + size) * (w + 1) + x + size]
                        - integral[y * (w + 1) + x + size]
                        - integral[(y + size) * (w + 1) + x]
                        + integral[y * (w + 1) + x];
                if (sum > best) {
                    best = sum;
                    bestX = x;
                    bestY = y;
                }
            }
        }
        return new DetailRegion(index, bestX, bestY, size);
    }

    /** This region of a frame at ground-truth size. */
    public Image crop(Image image) {
        return crop(image, x, y, size);
    }

    /** The same region of a low-resolution frame, enlarged x4 by repeating pixels (nearest neighbour). */
    public Image cropLowRes(Image lowRes) {
        int scale = Degradation.SCALE;
        Image small = crop(lowRes, x / scale, y / scale, size / scale);
        byte[] out = new byte[size * size * 3];
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                System.arraycopy(
                        small.rgb(), ((r / scale) * small.width() + c / scale) * 3, out, (r * size + c) * 3, 3);
            }
        }
        return new Image(size, size, out);
    }

    private static Image crop(Image image, int x0, int y0, int side) {
        byte[] out = new byte[side * side * 3];
        for (int r = 0; r < side; r++) {
            System.arraycopy(image.rgb(), ((y0 + r) * image.width() + x0) * 3, out, r * side * 3, side * 3);
        }
        return new Image(side, side, out);
    }
}
