package org.sdatc.enhancer.eval.report;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.sdatc.enhancer.tensor.Image;

/** RGB24 frames as PNG bytes and as {@code data:} URIs, so the report needs no files beside it. */
final class Png {
    private Png() {}

    static byte[] encode(Image image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        byte[] rgb = image.rgb();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return encode(out);
    }

    static byte[] encode(BufferedImage image) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", buffer)) {
                throw new IllegalStateException("this JDK has no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode a PNG in memory", e);
        }
        return buffer.toByteArray();
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }
}
