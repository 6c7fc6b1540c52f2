package org.sdatc.enhancer.engine.reference;

import static org.sdatc.enhancer.engine.reference.Value.UNKNOWN;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.sdatc.enhancer.engine.onnx.ir.AttributeProto;
import org.sdatc.enhancer.engine.onnx.ir.GraphProto;
import org.sdatc.enhancer.engine.onnx.ir.ModelProto;
import org.sdatc.enhancer.engine.onnx.ir.NodeProto;
import org.sdatc.enhancer.engine.onnx.ir.OperatorSetIdProto;
import org.sdatc.enhancer.engine.onnx.ir.StringStringEntryProto;
import org.sdatc.enhancer.engine.onnx.ir.TensorProto;
import org.sdatc.enhancer.engine.onnx.ir.TensorShapeProto;
import org.sdatc.enhancer.engine.onnx.ir.TypeProto;
import org.sdatc.enhancer.engine.onnx.ir.ValueInfoProto;

/**
 * A small fluent builder of ONNX inference graphs (default domain, opset {@value #OPSET}). Each op
 * returns a {@link Value} that carries the output shape as far as it is known at build time;
 * dimensions fixed only at run time (batch, time, height, width) are {@link Value#UNKNOWN} and are
 * declared symbolic on the graph's inputs and outputs.
 *
 * <p>Not thread-safe: one builder per graph.
 */
public final class OnnxGraphBuilder {
    public static final int OPSET = 17;
    /** IR version 8 (ONNX 1.10+): read by every ONNX Runtime this project supports. */
    public static final long IR_VERSION = 8;

    /** ONNX element types used by the project (TensorProto.DataType numbers). */
    public enum ElemType {
        FLOAT(1),
        INT64(7),
        FLOAT16(10);

        final int code;

        ElemType(int code) {
            this.code = code;
        }
    }

    private final String graphName;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final List<TensorProto> initializers = new ArrayList<>();
    /** Values of parameters drawn only when the model is saved (full-size models), by name. */
    private final Map<String, Supplier<float[]>> deferred = new HashMap<>();

    private int counter;

    public OnnxGraphBuilder(String graphName) {
        this.graphName = graphName;
    }

    // ---- graph inputs, outputs, parameters and constants ----

    /** A graph input; each dim is an Integer (fixed) or a String (symbolic, e.g. "N", "H"). */
    public Value input(String name, ElemType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[i] instanceof Integer d ? d : UNKNOWN;
        }
        return new Value(name, shape);
    }

    /** Declares {@code v} as the graph output {@code name} (through an Identity node). */
    public Value output(Value v, String name, ElemType type, Object... dims) {
        node("Identity", List.of(v.name()), List.of(name), List.of());
        graph.addOutput(valueInfo(name, type, dims));
        return new Value(name, v.shape());
    }

    /** A float parameter (initializer) with explicit values. */
    public Value param(String name, float[] values, int... shape) {
        if (Tensor.size(shape) != values.length) {
            throw new IllegalArgumentException(
                    "parameter " + name + " of shape " + Arrays.toString(shape) + " got " + values.length + " values");
        }
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        initializers.add(tensor(name, ElemType.FLOAT, shape, buf.array()));
        return new Value(name, shape);
    }

    /**
     * A float parameter whose values are drawn only when the model is saved with {@link
     * #saveStreaming}: a full-size model (GBs of weights) never holds more than one tensor in
     * memory, and {@link #buildGraphOnly} gives its graph (shapes, op counts) without any values.
     */
    public Value deferredParam(String name, Supplier<float[]> values, int... shape) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(ElemType.FLOAT.code);
        for (int d : shape) {
            t.addDims(d);
        }
        initializers.add(t.build());
        deferred.put(name, values);
        return new Value(name, shape);
    }

    /** An int64 constant (shapes, axes, pads, indices). */
    public Value ints(long... values) {
        String name = fresh("const_i64");
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        initializers.add(tensor(name, ElemType.INT64, new int[] {values.length}, buf.array()));
        return new Value(name, new int[] {values.length});
    }

    /** A float scalar constant. */
    public Value scalar(float value) {
        return param(fresh("const_f32"), new float[] {value});
    }

    // ---- element-wise ----

    public Value add(Value a, Value b) {
        return op("Add", broadcast(a, b), a, b);
    }

    public Value sub(Value a, Value b) {
        return op("Sub", broadcast(a, b), a, b);
    }

    public Value mul(Value a, Value b) {
        return op("Mul", broadcast(a, b), a, b);
    }

    public Value div(Value a, Value b) {
        return op("Div", broadcast(a, b), a, b);
    }

    public Value mod(Value a, Value b) {
        return op("Mod", broadcast(a, b), a, b);
    }

    public Value sigmoid(Value x) {
        return op("Sigmoid", x.shape(), x);
    }

    public Value sin(Value x) {
        return op("Sin", x.shape(), x);
    }

    public Value cos(Value x) {
        return op("Cos", x.shape(), x);
    }

    /** SiLU(x) = x * sigmoid(x). */
    public Value silu(Value x) {
        return mul(x, sigmoid(x));
    }

    /** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (the Gelu op arrives only in opset 20). */
    public Value gelu(Value x) {
        Value e = op("Erf", x.shape(), mul(x, scalar((float) (1 / Math.sqrt(2)))));
        return mul(mul(x, scalar(0.5f)), add(e, scalar(1f)));
    }

    /** x divided by its L2 norm along {@code axis}. */
    public Value lpNormalize(Value x, int axis) {
        return node("LpNormalization", x.shape(), List.of(x), List.of(intAttr("axis", axis), intAttr("p", 2)));
    }

    public Value clip(Value x, float min, float max) {
        return op("Clip", x.shape(), x, scalar(min), scalar(max));
    }

    public Value castToFloat(Value x) {
        return node("Cast", x.shape(), List.of(x), List.of(intAttr("to", ElemType.FLOAT.code)));
    }

    public Value leakyRelu(Value x, float alpha) {
        return node("LeakyRelu", x.shape(), List.of(x), List.of(floatAttr("alpha", alpha)));
    }

    /** Elements start..end-1 of {@code axis}. */
    public Value slice(Value x, int axis, int start, int end) {
        int[] out = x.shape();
        out[axis] = end - start;
        return op("Slice", out, x, ints(start), ints(end), ints(axis));
    }

    public Value softmax(Value x, int axis) {
        return node("Softmax", x.shape(), List.of(x), List.of(intAttr("axis", axis)));
    }

    // ---- linear algebra and convolution ----

    public Value matmul(Value a, Value b) {
        int[] sa = a.shape();
        int[] sb = b.shape();
        int rank = Math.max(sa.length, sb.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank - 2; i++) {
            int da = i - (rank - sa.length) >= 0 ? sa[i - (rank - sa.length)] : 1;
            int db = i - (rank - sb.length) >= 0 ? sb[i - (rank - sb.length)] : 1;
            out[i] = da == 1 ? db : db == 1 ? da : da == UNKNOWN ? db : da;
        }
        out[rank - 2] = sa[sa.length - 2];
        out[rank - 1] = sb[sb.length - 1];
        return op("MatMul", out, a, b);
    }

    /** 2-D or 3-D convolution (rank from the weight) with symmetric padding. */
    public Value conv(Value x, Value w, Value bias, int stride, int pad, int group) {
        int spatial = w.rank() - 2;
        int[] out = x.shape();
        out[1] = w.dim(0);
        for (int i = 0; i < spatial; i++) {
            int d = x.dim(2 + i);
            out[2 + i] = d == UNKNOWN ? UNKNOWN : (d + 2 * pad - w.dim(2 + i)) / stride + 1;
        }
        long[] pads = new long[2 * spatial];
        long[] strides = new long[spatial];
        Arrays.fill(pads, pad);
        Arrays.fill(strides, stride);
        List<Value> in = bias == null ? List.of(x, w) : List.of(x, w, bias);
        return node(
                "Conv",
                out,
                in,
                List.of(intsAttr("pads", pads), intsAttr("strides", strides), intAttr("group", group)));
    }

    // ---- normalisation ----

    /** LayerNormalization over the last axis. */
    public Value layerNorm(Value x, Value scale, Value bias) {
        return node(
                "LayerNormalization",
                x.shape(),
                List.of(x, scale, bias),
                List.of(intAttr("axis", -1), floatAttr("epsilon", 1e-5f)));
    }

    /**
     * GroupNorm on NCHW as InstanceNormalization over [N, groups, C/groups * H * W], followed by the
     * per-channel affine map: portable to every opset and execution provider.
     */
    public Value groupNorm(Value x, int groups, Value gamma, Value beta) {
        Value grouped = reshape(x, ints(0, groups, -1), new int[] {x.dim(0), groups, UNKNOWN});
        Value norm = node(
                "InstanceNormalization",
                grouped.shape(),
                List.of(
                        grouped,
                        param(fresh("gn_one"), Weights.filled(groups, 1f), groups),
                        param(fresh("gn_zero"), new float[groups], groups)),
                List.of(floatAttr("epsilon", 1e-5f)));
        Value back = reshape(norm, shape(x), x.shape());
        return add(mul(back, gamma), beta);
    }

    // ---- layout ----

    /** Reshape to a shape tensor; {@code known} is the output shape as far as the builder knows it. */
    public Value reshape(Value x, Value shapeTensor, int[] known) {
        return op("Reshape", known, x, shapeTensor);
    }

    public Value transpose(Value x, int... perm) {
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = x.dim(perm[i]);
        }
        return node("Transpose", out, List.of(x), List.of(intsAttr("perm", toLongs(perm))));
    }

    /** PixelShuffle (mode CRD) or the inverse of SpaceToDepth (mode DCR). */
    public Value depthToSpace(Value x, int block, String mode) {
        int[] s = x.shape();
        int[] out = {s[0], s[1] == UNKNOWN ? UNKNOWN : s[1] / (block * block), times(s[2], block), times(s[3], block)};
        return node("DepthToSpace", out, List.of(x), List.of(intAttr("blocksize", block), stringAttr("mode", mode)));
    }

    /** SpaceToDepth (DCR channel order: (dy * block + dx) * C + c). */
    public Value spaceToDepth(Value x, int block) {
        int[] s = x.shape();
        int[] out = {s[0], times(s[1], block * block), div(s[2], block), div(s[3], block)};
        return node("SpaceToDepth", out, List.of(x), List.of(intAttr("blocksize", block)));
    }

    /** Pads H and W of an NCHW value by fixed amounts, repeating edge pixels. */
    public Value padEdge(Value x, int top, int bottom, int left, int right) {
        int[] s = x.shape();
        int[] out = {s[0], s[1], plus(s[2], top + bottom), plus(s[3], left + right)};
        return node(
                "Pad",
                out,
                List.of(x, ints(0, 0, top, left, 0, 0, bottom, right)),
                List.of(stringAttr("mode", "edge")));
    }

    /** Pads H and W at the bottom/right, repeating edges, up to the next multiple of m. */
    public Value padEdgeToMultiple(Value x, int m) {
        Value hw = gather(shape(x), ints(2, 3), 0);
        Value mm = ints(m, m);
        Value extra = mod(sub(mm, mod(hw, mm)), mm);
        Value pads = concat(0, ints(0, 0, 0, 0, 0, 0), extra);
        int[] s = x.shape();
        return node(
                "Pad", new int[] {s[0], s[1], UNKNOWN, UNKNOWN}, List.of(x, pads), List.of(stringAttr("mode", "edge")));
    }

    /** Crops H and W of x to those of {@code like}. */
    public Value cropLike(Value x, Value like) {
        Value hw = gather(shape(like), ints(2, 3), 0);
        int[] s = x.shape();
        return op("Slice", new int[] {s[0], s[1], like.dim(2), like.dim(3)}, x, ints(0, 0), hw, ints(2, 3));
    }

    /** Crops H and W of x to {@code factor} times those of {@code like} (undoes a pad before an upscale). */
    public Value cropLike(Value x, Value like, int factor) {
        Value hw = mul(gather(shape(like), ints(2, 3), 0), ints(factor, factor));
        int[] s = x.shape();
        return op(
                "Slice",
                new int[] {s[0], s[1], times(like.dim(2), factor), times(like.dim(3), factor)},
                x,
                ints(0, 0),
                hw,
                ints(2, 3));
    }

    /** Cyclic shift by {@code shift} along an axis (torch.roll), as two slices and a concat. */
    public Value roll(Value x, int axis, int shift) {
        Value head = op("Slice", x.shape(), x, ints(-shift), ints(Long.MAX_VALUE), ints(axis));
        Value tail = op("Slice", x.shape(), x, ints(0), ints(-shift), ints(axis));
        return concat(axis, head, tail);
    }

    public Value concat(int axis, Value... parts) {
        int[] out = parts[0].shape();
        int a = axis < 0 ? out.length + axis : axis;
        int sum = 0;
        for (Value p : parts) {
            sum = p.dim(a) == UNKNOWN || sum == UNKNOWN ? UNKNOWN : sum + p.dim(a);
        }
        out[a] = sum;
        return node("Concat", out, List.of(parts), List.of(intAttr("axis", axis)));
    }

    public Value shape(Value x) {
        return op("Shape", new int[] {x.rank()}, x);
    }

    public Value gather(Value data, Value indices, int axis) {
        int[] d = data.shape();
        int[] i = indices.shape();
        int[] out = new int[d.length - 1 + i.length];
        int k = 0;
        for (int j = 0; j < axis; j++) {
            out[k++] = d[j];
        }
        for (int j : i) {
            out[k++] = j;
        }
        for (int j = axis + 1; j < d.length; j++) {
            out[k++] = d[j];
        }
        return node("Gather", out, List.of(data, indices), List.of(intAttr("axis", axis)));
    }

    public Value unsqueeze(Value x, int axis) {
        int[] s = x.shape();
        int[] out = new int[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) {
            out[i] = i == axis ? 1 : s[j++];
        }
        return op("Unsqueeze", out, x, ints(axis));
    }

    public Value squeeze(Value x, int axis) {
        int[] s = x.shape();
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != axis) {
                out[j++] = s[i];
            }
        }
        return op("Squeeze", out, x, ints(axis));
    }

    /** Mean over H and W, keeping them as size 1. */
    public Value globalAveragePool(Value x) {
        int[] s = x.shape();
        return op("GlobalAveragePool", new int[] {s[0], s[1], 1, 1}, x);
    }

    /** Bilinear resize of an NCHW value to the H and W of {@code like} (align_corners off). */
    public Value resizeLike(Value x, Value like) {
        Value sizes = concat(0, gather(shape(x), ints(0, 1), 0), gather(shape(like), ints(2, 3), 0));
        int[] s = x.shape();
        return node(
                "Resize",
                new int[] {s[0], s[1], like.dim(2), like.dim(3)},
                List.of(x, new Value("", new int[0]), new Value("", new int[0]), sizes),
                List.of(stringAttr("mode", "linear"), stringAttr("coordinate_transformation_mode", "half_pixel")));
    }

    /** Nearest-neighbour x2 upsampling of H and W. */
    public Value upsample2x(Value x) {
        int[] s = x.shape();
        return node(
                "Resize",
                new int[] {s[0], s[1], times(s[2], 2), times(s[3], 2)},
                List.of(x, new Value("", new int[0]), scalesTensor(1, 1, 2, 2)),
                List.of(stringAttr("mode", "nearest")));
    }

    private Value scalesTensor(float... scales) {
        return param(fresh("scales"), scales, scales.length);
    }

    // ---- building ----

    /** The finished model. Parameters stay inline (raw_data) in the returned proto. */
    public ModelProto build(String docString) {
        if (!deferred.isEmpty()) {
            throw new IllegalStateException("graph " + graphName + " has deferred parameters: use saveStreaming()");
        }
        return buildGraphOnly(docString);
    }

    /**
     * The model with deferred parameters left without values (dims only): enough to read its
     * structure and count its cost, not to run it.
     */
    public ModelProto buildGraphOnly(String docString) {
        GraphProto.Builder g = graph.clone().setName(graphName).addAllInitializer(initializers);
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("sdatc-enhancer")
                .setProducerVersion("0.1")
                .setDocString(docString)
                .setGraph(g)
                .build();
    }

    /** Bytes of all parameters, for sizing decisions (external data) and model info. */
    public long parameterBytes() {
        return initializers.stream().mapToLong(t -> t.getRawData().size()).sum();
    }

    /**
     * Writes {@code model} to {@code file}. Parameters larger than {@code externalThresholdBytes}
     * move into the side file {@code <file name>.data} (ONNX external data), which keeps the
     * .onnx file under protobuf's 2 GB limit for full-size models; ONNX Runtime finds the side file
     * next to the model when the session is created from the model's path.
     */
    public static void save(ModelProto model, Path file, long externalThresholdBytes) throws IOException {
        String dataName = file.getFileName() + ".data";
        GraphProto.Builder g = model.getGraph().toBuilder();
        long offset = 0;
        boolean external = false;
        try (OutputStream data = externalThresholdBytes == Long.MAX_VALUE
                ? OutputStream.nullOutputStream()
                : Files.newOutputStream(file.resolveSibling(dataName))) {
            for (int i = 0; i < g.getInitializerCount(); i++) {
                TensorProto t = g.getInitializer(i);
                if (t.getRawData().size() <= externalThresholdBytes) {
                    continue;
                }
                ByteString raw = t.getRawData();
                raw.writeTo(data);
                g.setInitializer(
                        i,
                        t.toBuilder()
                                .clearRawData()
                                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(entry("location", dataName))
                                .addExternalData(entry("offset", Long.toString(offset)))
                                .addExternalData(entry("length", Long.toString(raw.size()))));
                offset += raw.size();
                external = true;
            }
        }
        if (!external && externalThresholdBytes != Long.MAX_VALUE) {
            Files.deleteIfExists(file.resolveSibling(dataName));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            model.toBuilder().setGraph(g).build().writeTo(out);
        }
    }

    /**
     * Writes the model to {@code file} with every deferred parameter, and every inline one larger
     * than {@code externalThresholdBytes}, in the side file {@code <file name>.data}. Deferred
     * values are drawn and written one tensor at a time, so memory stays at the largest tensor.
     */
    public void saveStreaming(String docString, Path file, long externalThresholdBytes) throws IOException {
        String dataName = file.getFileName() + ".data";
        List<TensorProto> written = new ArrayList<>(initializers.size());
        long offset = 0;
        try (OutputStream data =
                new java.io.BufferedOutputStream(Files.newOutputStream(file.resolveSibling(dataName)), 1 << 20)) {
            byte[] chunk = new byte[1 << 20];
            for (TensorProto t : initializers) {
                Supplier<float[]> values = deferred.get(t.getName());
                long length;
                if (values != null) {
                    float[] v = values.get();
                    if (v.length != OnnxGraphBuilder.Tensor.size(toInts(t.getDimsList()))) {
                        throw new IllegalStateException("deferred parameter " + t.getName() + " of dims "
                                + t.getDimsList() + " produced " + v.length + " values");
                    }
                    ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < v.length; ) {
                        int n = Math.min(chunk.length / 4, v.length - i);
                        buf.clear();
                        buf.asFloatBuffer().put(v, i, n);
                        data.write(chunk, 0, n * 4);
                        i += n;
                    }
                    length = 4L * v.length;
                } else if (t.getRawData().size() > externalThresholdBytes) {
                    t.getRawData().writeTo(data);
                    length = t.getRawData().size();
                } else {
                    written.add(t);
                    continue;
                }
                written.add(t.toBuilder()
                        .clearRawData()
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", dataName))
                        .addExternalData(entry("offset", Long.toString(offset)))
                        .addExternalData(entry("length", Long.toString(length)))
                        .build());
                offset += length;
            }
        }
        GraphProto.Builder g = graph.clone().setName(graphName).addAllInitializer(written);
        ModelProto model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("sdatc-enhancer")
                .setProducerVersion("0.1")
                .setDocString(docString)
                .setGraph(g)
                .build();
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    private static int[] toInts(List<Long> dims) {
        return dims.stream().mapToInt(Long::intValue).toArray();
    }

    // ---- internals ----

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static final class Tensor {
        static long size(int[] shape) {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private String fresh(String prefix) {
        return prefix + "_" + counter++;
    }

    private Value op(String type, int[] outShape, Value... inputs) {
        return node(type, outShape, List.of(inputs), List.of());
    }

    private Value node(String type, int[] outShape, List<Value> inputs, List<AttributeProto> attrs) {
        String out = fresh(type.toLowerCase());
        node(type, inputs.stream().map(Value::name).toList(), List.of(out), attrs);
        return new Value(out, outShape);
    }

    private void node(String type, List<String> inputs, List<String> outputs, List<AttributeProto> attrs) {
        graph.addNode(NodeProto.newBuilder()
                .setOpType(type)
                .setName(fresh("n_" + type))
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .addAllAttribute(attrs));
    }

    private static ValueInfoProto valueInfo(String name, ElemType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                dim.setDimValue(i);
            } else {
                dim.setDimParam(d.toString());
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(type.code)
                                .setShape(shape)))
                .build();
    }

    private static TensorProto tensor(String name, ElemType type, int[] shape, byte[] raw) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.code);
        for (int d : shape) {
            t.addDims(d);
        }
        return t.setRawData(ByteString.copyFrom(raw)).build();
    }

    private static int[] broadcast(Value a, Value b) {
        int[] sa = a.shape();
        int[] sb = b.shape();
        int rank = Math.max(sa.length, sb.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - sa.length) >= 0 ? sa[i - (rank - sa.length)] : 1;
            int db = i - (rank - sb.length) >= 0 ? sb[i - (rank - sb.length)] : 1;
            out[i] = da == 1 ? db : db == 1 ? da : da == UNKNOWN ? db : da;
        }
        return out;
    }

    private static int times(int d, int k) {
        return d == UNKNOWN ? UNKNOWN : d * k;
    }

    private static int div(int d, int k) {
        return d == UNKNOWN ? UNKNOWN : d / k;
    }

    private static int plus(int d, int k) {
        return d == UNKNOWN ? UNKNOWN : d + k;
    }

    private static long[] toLongs(int[] v) {
        return Arrays.stream(v).asLongStream().toArray();
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    private static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(v)
                .build();
    }

    private static AttributeProto intsAttr(String name, long[] v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v))
                .build();
    }
}
