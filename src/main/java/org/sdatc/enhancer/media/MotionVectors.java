package org.sdatc.enhancer.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_FRAME_DATA_MOTION_VECTORS;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_side_data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.ffmpeg.avutil.AVFrameSideData;
import org.bytedeco.ffmpeg.avutil.AVMotionVector;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.sdatc.enhancer.tensor.MotionField;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Turns the motion vectors the decoder exports with a frame ({@code AV_FRAME_DATA_MOTION_VECTORS}
 * side data, present when the decoder was opened with {@code AV_CODEC_FLAG2_EXPORT_MVS}) into a
 * dense {@link MotionField}: each block's vector painted over its block.
 *
 * <p>Only P frames of streams without frame reordering get a field, and only their vectors that
 * point into the past ({@code source < 0}). In such a stream a P frame's past reference is,
 * unless the encoder was told to use several reference frames, the frame just before it in
 * display order, which is what {@link MotionField} promises. Keyframes, B frames and every frame
 * of a stream that reorders frames (B frames: a P frame then refers further back than its
 * predecessor, by a distance the side data does not give) get none, and the engine estimates
 * that pair's flow itself.
 *
 * <p>The side data (an array of 40-byte {@code AVMotionVector}) is copied in one native call and
 * read from Java, at offsets JavaCPP reports for the struct, rather than field by field through
 * JNI: a 480x270 P frame carries up to ~2000 vectors.
 */
final class MotionVectors {
    private static final int SIZE = Loader.sizeof(AVMotionVector.class);
    private static final int SOURCE = Loader.offsetof(AVMotionVector.class, "source");
    private static final int W = Loader.offsetof(AVMotionVector.class, "w");
    private static final int H = Loader.offsetof(AVMotionVector.class, "h");
    private static final int DST_X = Loader.offsetof(AVMotionVector.class, "dst_x");
    private static final int DST_Y = Loader.offsetof(AVMotionVector.class, "dst_y");
    private static final int MOTION_X = Loader.offsetof(AVMotionVector.class, "motion_x");
    private static final int MOTION_Y = Loader.offsetof(AVMotionVector.class, "motion_y");
    private static final int MOTION_SCALE = Loader.offsetof(AVMotionVector.class, "motion_scale");

    private MotionVectors() {}

    /**
     * The frame's motion relative to its predecessor, or null when it has none (see the class
     * comment). {@code reorders}: the decoder reports frame reordering (B frames).
     */
    static MotionField of(org.bytedeco.ffmpeg.avutil.AVFrame frame, boolean reorders) {
        if (reorders || frame.pict_type() != AV_PICTURE_TYPE_P) {
            return null;
        }
        AVFrameSideData side = av_frame_get_side_data(frame, AV_FRAME_DATA_MOTION_VECTORS);
        if (side == null || side.size() < SIZE) {
            return null;
        }
        int count = (int) (side.size() / SIZE);
        byte[] raw = new byte[count * SIZE];
        new BytePointer(side.data()).capacity(raw.length).get(raw);
        return paint(ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()), count, frame.width(), frame.height());
    }

    private static MotionField paint(ByteBuffer b, int count, int width, int height) {
        int plane = width * height;
        float[] v = new float[2 * plane];
        float[] valid = new float[plane];
        int painted = 0;
        for (int i = 0; i < count; i++) {
            int o = i * SIZE;
            if (b.getInt(o + SOURCE) >= 0) {
                continue; // refers to a future frame (B prediction): not this field's direction
            }
            int scale = Short.toUnsignedInt(b.getShort(o + MOTION_SCALE));
            if (scale == 0) {
                continue;
            }
            int bw = Byte.toUnsignedInt(b.get(o + W));
            int bh = Byte.toUnsignedInt(b.get(o + H));
            // dst is the block's centre in this frame; src = dst + motion / scale in the reference.
            int x0 = b.getShort(o + DST_X) - bw / 2;
            int y0 = b.getShort(o + DST_Y) - bh / 2;
            float dx = (float) b.getInt(o + MOTION_X) / scale;
            float dy = (float) b.getInt(o + MOTION_Y) / scale;
            for (int y = Math.max(0, y0); y < Math.min(height, y0 + bh); y++) {
                int row = y * width;
                for (int x = Math.max(0, x0); x < Math.min(width, x0 + bw); x++) {
                    v[row + x] = dx;
                    v[plane + row + x] = dy;
                    valid[row + x] = 1;
                }
            }
            painted++;
        }
        if (painted == 0) {
            return null;
        }
        return new MotionField(new Tensor(v, 2, height, width), new Tensor(valid, height, width));
    }
}
