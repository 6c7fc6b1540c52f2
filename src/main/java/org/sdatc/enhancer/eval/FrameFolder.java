package org.sdatc.enhancer.eval;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.sdatc.enhancer.tensor.Image;

/**
 * A folder of numbered PNG frames ({@code 001.png}, {@code 002.png}, ...), what {@code eval
 * --keep-frames} writes for the ground truth, each low-resolution stream and each method's output,
 * so that any other tool (FFmpeg's {@code psnr} filter, say) can measure the very same frames.
 */
public final class FrameFolder {
    private final Path dir;

    public FrameFolder(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create frame folder " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Writes frame {@code index} (0-based) as {@code index + 1}, zero-padded to three digits. */
    public void write(int index, Image image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        byte[] rgb = image.rgb();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        Path file = dir.resolve(String.format("%03d.png", index + 1));
        try {
            ImageIO.write(out, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
