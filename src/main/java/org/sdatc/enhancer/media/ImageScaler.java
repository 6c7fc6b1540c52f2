package org.sdatc.enhancer.media;

import org.sdatc.enhancer.tensor.Image;

/**
 * Resizes RGB24 images with libswscale's bicubic filter: the scaler the segment cutter uses to
 * bring a file to a target size, and the one FFmpeg's {@code scale=W:H:flags=bicubic} filter runs.
 * When shrinking, swscale widens the kernel by the scale factor, so a x4 downscale is low-passed
 * (anti-aliased) rather than sampled.
 */
public final class ImageScaler {
    private ImageScaler() {}

    /** {@code image} resized to {@code width x height}. */
    public static Image bicubic(Image image, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        try (FrameScaler scaler = new FrameScaler()) {
            return scaler.resize(image, width, height);
        }
    }
}
