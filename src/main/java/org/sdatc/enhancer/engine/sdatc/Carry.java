package org.sdatc.enhancer.engine.sdatc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * What one window hands to the stream's next window: the final (scaled) latents of its last frame,
 * one [C, h, w] tensor per tile, stored as float16, and that frame at low resolution, from which
 * the next window computes the flow to its own first frame. Bound to the model id, so a carry of
 * another model (after a redeploy) is ignored rather than misread.
 *
 * @param model the enhancer's model id
 * @param lastFrame the low-resolution frame the latents belong to
 * @param tiles the tile grid the latents were computed on
 * @param latents one tensor per tile, [C, h, w] at the tile's (padded) latent size
 */
record Carry(String model, Image lastFrame, List<Tile> tiles, List<Tensor> latents) {
    private static final int MAGIC = 0x53444331; // "SDC1"

    Carry {
        tiles = List.copyOf(tiles);
        latents = List.copyOf(latents);
        if (tiles.size() != latents.size()) {
            throw new IllegalArgumentException(tiles.size() + " tiles but " + latents.size() + " latent tensors");
        }
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(model);
            out.writeInt(lastFrame.width());
            out.writeInt(lastFrame.height());
            out.write(lastFrame.rgb());
            out.writeInt(tiles.size());
            for (int i = 0; i < tiles.size(); i++) {
                Tile t = tiles.get(i);
                out.writeInt(t.x());
                out.writeInt(t.y());
                out.writeInt(t.width());
                out.writeInt(t.height());
                Tensor z = latents.get(i);
                out.writeInt(z.dim(0));
                out.writeInt(z.dim(1));
                out.writeInt(z.dim(2));
                for (float v : z.data()) {
                    out.writeShort(Float.floatToFloat16(v));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a carry; null when the bytes are not an SDATC carry (another enhancer's state, or a
     * format from another version), so the window simply runs without stitching.
     */
    static Carry decode(byte[] data) {
        if (data == null || data.length < 4) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readInt() != MAGIC) {
                return null;
            }
            String model = in.readUTF();
            int w = in.readInt();
            int h = in.readInt();
            byte[] rgb = in.readNBytes(w * h * 3);
            int n = in.readInt();
            List<Tile> tiles = new ArrayList<>(n);
            List<Tensor> latents = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                tiles.add(new Tile(in.readInt(), in.readInt(), in.readInt(), in.readInt()));
                int c = in.readInt();
                int lh = in.readInt();
                int lw = in.readInt();
                float[] d = new float[c * lh * lw];
                for (int k = 0; k < d.length; k++) {
                    d[k] = Float.float16ToFloat(in.readShort());
                }
                latents.add(new Tensor(d, c, lh, lw));
            }
            return new Carry(model, new Image(w, h, rgb), tiles, latents);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
