package org.sdatc.enhancer.engine.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdatc.enhancer.engine.EnhancerException;
import org.sdatc.enhancer.tensor.Tensor;
import org.sdatc.enhancer.tensor.Tensors;

/**
 * One stage's ONNX Runtime session. {@link #run} is safe to call from several threads at once (ORT
 * sessions are), converts {@link Tensor}s to the graph's element type (float16 models get float16
 * tensors) and returns every output as a float {@link Tensor}.
 */
public final class StageSession implements AutoCloseable {
    private final ModelStage stage;
    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, NodeInfo> inputInfo;
    /** The graph's final PixelShuffle, now done in Java; null for none. */
    private final PixelShuffleCut.Cut cut;

    StageSession(ModelStage stage, Path file, OrtEnvironment env, OrtSession session) throws OrtException {
        this(stage, file, env, session, null);
    }

    /** Over a graph whose final PixelShuffle was cut off ({@code cut}, null for none). */
    StageSession(ModelStage stage, Path file, OrtEnvironment env, OrtSession session, PixelShuffleCut.Cut cut)
            throws OrtException {
        this.stage = stage;
        this.file = file;
        this.env = env;
        this.session = session;
        this.inputInfo = session.getInputInfo();
        this.cut = cut;
    }

    public ModelStage stage() {
        return stage;
    }

    /** Inputs of one run: float tensors and int64 vectors (timesteps) by graph input name. */
    public static final class Inputs {
        private final Map<String, Object> values = new LinkedHashMap<>();

        public Inputs put(String name, Tensor t) {
            values.put(name, t);
            return this;
        }

        public Inputs putInt64(String name, long... v) {
            values.put(name, v.clone());
            return this;
        }
    }

    public static Inputs inputs() {
        return new Inputs();
    }

    /**
     * Runs the graph and returns all outputs by name.
     *
     * @throws EnhancerException naming the stage and input when an input is missing or ONNX Runtime
     *     rejects a run (wrong channel count, too large a frame for the device)
     */
    public Map<String, Tensor> run(Inputs in) {
        Map<String, Tensor> out = runGraph(in);
        if (cut != null) {
            out.put(cut.output(), Tensors.pixelShuffle(out.remove(cut.phasesOutput()), cut.factor()));
        }
        return out;
    }

    /**
     * The output the graph's final PixelShuffle would have made, still as sub-pixel phases [N, C
     * r^2, H, W] (see {@link Tensors#pixelShuffle}), and r; null when this graph has none (then use
     * {@link #run}). A caller that converts the frames anyway does the permutation for free.
     */
    public Phases runPhases(Inputs in) {
        return cut == null ? null : new Phases(runGraph(in).get(cut.phasesOutput()), cut.factor());
    }

    /** Sub-pixel phases of an x{@code factor} output, in PixelShuffle (CRD) order. */
    public record Phases(Tensor phases, int factor) {}

    private Map<String, Tensor> runGraph(Inputs in) {
        List<OnnxTensor> created = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            for (String name : inputInfo.keySet()) {
                Object v = in.values.get(name);
                if (v == null) {
                    throw new EnhancerException(
                            stage.key() + ": input \"" + name + "\" was not given; inputs are " + inputInfo.keySet());
                }
                OnnxTensor t = toOnnx(name, v);
                created.add(t);
                feed.put(name, t);
            }
            try (OrtSession.Result result = session.run(feed)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
                    out.put(e.getKey(), fromOnnx((OnnxTensor) e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new EnhancerException(stage.key() + " (" + file.getFileName() + ") failed: " + e.getMessage(), e);
        } finally {
            created.forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor toOnnx(String name, Object v) throws OrtException {
        TensorInfo info = (TensorInfo) inputInfo.get(name).getInfo();
        if (v instanceof long[] longs) {
            return OnnxTensor.createTensor(env, LongBuffer.wrap(longs), new long[] {longs.length});
        }
        Tensor t = (Tensor) v;
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        if (info.type == OnnxJavaType.FLOAT16) {
            ShortBuffer half = Fp16Conversions.convertFloatBufferToFp16Buffer(FloatBuffer.wrap(t.data()));
            return OnnxTensor.createTensor(env, half, shape, OnnxJavaType.FLOAT16);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(t.data()), shape);
    }

    private static Tensor fromOnnx(OnnxTensor t) {
        long[] shape = t.getInfo().getShape();
        int[] dims = Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
        FloatBuffer fb = t.getInfo().type == OnnxJavaType.FLOAT16
                ? Fp16Conversions.convertFp16BufferToFloatBuffer(t.getShortBuffer())
                : t.getFloatBuffer();
        float[] data = new float[fb.remaining()];
        fb.get(data);
        return new Tensor(data, dims);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the " + stage.key() + " session failed", e);
        }
    }
}
