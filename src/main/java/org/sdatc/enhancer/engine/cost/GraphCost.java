package org.sdatc.enhancer.engine.cost;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdatc.enhancer.engine.onnx.ir.AttributeProto;
import org.sdatc.enhancer.engine.onnx.ir.ModelProto;
import org.sdatc.enhancer.engine.onnx.ir.NodeProto;
import org.sdatc.enhancer.engine.onnx.ir.TensorProto;
import org.sdatc.enhancer.engine.onnx.ir.ValueInfoProto;

/**
 * Counts parameters and FLOPs of an ONNX graph by walking its nodes with concrete shapes: a small
 * shape inference over the operators the project's graphs use, with constant folding of the int64
 * shape arithmetic (Shape, Gather, Concat, Mod, ...) that keeps H and W symbolic in the graph.
 * Parameter values are never read, so graphs saved with external data, or built without values,
 * are counted the same.
 */
public final class GraphCost {
    private static final Set<String> SAME_SHAPE_COUNTED = Set.of(
            "Sigmoid",
            "Sin",
            "Cos",
            "Erf",
            "Clip",
            "LeakyRelu",
            "Relu",
            "Tanh",
            "Exp",
            "Sqrt",
            "Softmax",
            "LayerNormalization",
            "InstanceNormalization",
            "LpNormalization",
            "Neg",
            "Reciprocal");
    private static final Set<String> SAME_SHAPE_FREE = Set.of("Identity", "Cast");
    private static final Set<String> BINARY = Set.of("Add", "Sub", "Mul", "Div", "Mod", "Pow");

    /** The cost and the shapes of the graph's outputs. */
    public record Result(StageCost cost, Map<String, long[]> outputShapes) {}

    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, long[]> constants = new HashMap<>();
    private final Map<String, float[]> floatConstants = new HashMap<>();
    private final Set<String> initializers = new HashSet<>();
    private long linear;
    private long attention;
    private long other;

    private GraphCost() {}

    /**
     * Counts {@code model} called with graph inputs of the given shapes (every non-initializer
     * input must be given). Fails naming the node when an op is not supported or shapes disagree.
     */
    public static Result of(ModelProto model, Map<String, long[]> inputShapes) {
        GraphCost g = new GraphCost();
        Map<String, Long> byComponent = new LinkedHashMap<>();
        long params = 0;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
            g.shapes.put(t.getName(), dims);
            g.initializers.add(t.getName());
            if (t.getDataType() == TensorProto.DataType.INT64_VALUE) {
                g.constants.put(t.getName(), int64Values(t));
            } else if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                long n = product(dims);
                params += n;
                byComponent.merge(component(t.getName()), n, Long::sum);
                if (n <= 16 && t.hasRawData()) {
                    g.floatConstants.put(t.getName(), floatValues(t.getRawData()));
                }
            }
        }
        for (ValueInfoProto in : model.getGraph().getInputList()) {
            if (g.initializers.contains(in.getName())) {
                continue;
            }
            long[] s = inputShapes.get(in.getName());
            if (s == null) {
                throw new IllegalArgumentException("no shape given for graph input '" + in.getName() + "' of graph "
                        + model.getGraph().getName());
            }
            g.shapes.put(in.getName(), s.clone());
        }
        for (NodeProto n : model.getGraph().getNodeList()) {
            try {
                g.visit(n);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "cannot size node " + n.getName() + " (" + n.getOpType() + ") of graph "
                                + model.getGraph().getName() + ": " + e.getMessage(),
                        e);
            }
        }
        Map<String, long[]> outputs = new LinkedHashMap<>();
        for (ValueInfoProto out : model.getGraph().getOutputList()) {
            outputs.put(out.getName(), g.shapes.get(out.getName()).clone());
        }
        return new Result(new StageCost(params, g.linear, g.attention, g.other, byComponent), outputs);
    }

    /** "unet.ctrl.down0.res0.conv1.w" -> "unet.ctrl"; names without a dot -> "(constants)". */
    static String component(String name) {
        int first = name.indexOf('.');
        if (first < 0) {
            return "(constants)";
        }
        int second = name.indexOf('.', first + 1);
        return second < 0 ? name.substring(0, first) : name.substring(0, second);
    }

    private void visit(NodeProto n) {
        String op = n.getOpType();
        List<String> in = n.getInputList();
        long[] x = in.isEmpty() ? null : shape(in.get(0));
        long[] out;
        if (SAME_SHAPE_COUNTED.contains(op)) {
            out = x;
            other += product(out);
        } else if (SAME_SHAPE_FREE.contains(op)) {
            out = x;
            if (constants.containsKey(in.get(0))) {
                constants.put(n.getOutput(0), constants.get(in.get(0)));
            }
        } else if (BINARY.contains(op)) {
            long[] y = shape(in.get(1));
            out = broadcast(x, y);
            long[] a = constants.get(in.get(0));
            long[] c = constants.get(in.get(1));
            if (a != null && c != null) {
                constants.put(n.getOutput(0), fold(op, a, c));
            } else {
                other += product(out);
            }
        } else {
            out = switch (op) {
                case "Conv" -> conv(n, x, shape(in.get(1)));
                case "MatMul", "Gemm" -> matmul(n, x, shape(in.get(1)));
                case "Reshape" -> reshape(x, constant(in.get(1)));
                case "Transpose" -> transpose(n, x);
                case "DepthToSpace" -> {
                    long blk = intAttr(n, "blocksize", 0);
                    yield new long[] {x[0], x[1] / (blk * blk), x[2] * blk, x[3] * blk};
                }
                case "SpaceToDepth" -> {
                    long blk = intAttr(n, "blocksize", 0);
                    yield new long[] {x[0], x[1] * blk * blk, x[2] / blk, x[3] / blk};
                }
                case "Pad" -> {
                    long[] pads = constant(in.get(1));
                    long[] o = x.clone();
                    for (int i = 0; i < o.length; i++) {
                        o[i] += pads[i] + pads[i + o.length];
                    }
                    yield o;
                }
                case "Slice" -> slice(n, x);
                case "Concat" -> concat(n);
                case "Shape" -> {
                    constants.put(n.getOutput(0), x.clone());
                    yield new long[] {x.length};
                }
                case "Gather" -> gather(n, x);
                case "Unsqueeze" -> {
                    // Same values, new axes: shape arithmetic (torch.onnx.export) keeps its constants.
                    if (constants.containsKey(in.get(0))) {
                        constants.put(n.getOutput(0), constants.get(in.get(0)));
                    }
                    yield unsqueeze(x, constant(in.get(1)));
                }
                case "Squeeze" -> {
                    if (constants.containsKey(in.get(0))) {
                        constants.put(n.getOutput(0), constants.get(in.get(0)));
                    }
                    yield squeeze(x, constant(in.get(1)));
                }
                case "GlobalAveragePool" -> {
                    other += product(x);
                    long[] o = x.clone();
                    for (int i = 2; i < o.length; i++) {
                        o[i] = 1;
                    }
                    yield o;
                }
                case "Resize" -> resize(n, x);
                case "Constant" -> constantNode(n);
                default ->
                    throw new IllegalArgumentException(
                            "op " + op + " is not supported by model info; extend GraphCost");
            };
        }
        shapes.put(n.getOutput(0), out);
    }

    /** A Constant node (torch.onnx.export emits them for shape arithmetic): its value is known. */
    private long[] constantNode(NodeProto n) {
        for (var a : n.getAttributeList()) {
            if (a.getName().equals("value") && a.hasT()) {
                TensorProto t = a.getT();
                long[] dims =
                        t.getDimsList().stream().mapToLong(Long::longValue).toArray();
                if (t.getDataType() == TensorProto.DataType.INT64_VALUE) {
                    constants.put(n.getOutput(0), int64Values(t));
                } else if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE && t.hasRawData()) {
                    floatConstants.put(n.getOutput(0), floatValues(t.getRawData()));
                }
                return dims;
            }
        }
        throw new IllegalArgumentException("Constant without a tensor value");
    }

    private long[] conv(NodeProto n, long[] x, long[] w) {
        int spatial = w.length - 2;
        long[] pads = intsAttr(n, "pads", new long[2 * spatial]);
        long[] strides = intsAttr(n, "strides", filled(spatial, 1));
        long[] dil = intsAttr(n, "dilations", filled(spatial, 1));
        long[] out = new long[x.length];
        out[0] = x[0];
        out[1] = w[0];
        long taps = 1;
        for (int i = 0; i < spatial; i++) {
            long k = w[2 + i];
            out[2 + i] = (x[2 + i] + pads[i] + pads[i + spatial] - dil[i] * (k - 1) - 1) / strides[i] + 1;
            taps *= k;
        }
        long group = intAttr(n, "group", 1);
        if (x[1] != w[1] * group) {
            throw new IllegalArgumentException(
                    "input has " + x[1] + " channels, weight expects " + w[1] + " x group " + group);
        }
        linear += 2 * product(out) * w[1] * taps;
        return out;
    }

    private long[] matmul(NodeProto n, long[] a, long[] b) {
        boolean gemm = n.getOpType().equals("Gemm");
        if (gemm) {
            long m = intAttr(n, "transA", 0) == 1 ? a[1] : a[0];
            long k = intAttr(n, "transA", 0) == 1 ? a[0] : a[1];
            long cols = intAttr(n, "transB", 0) == 1 ? b[0] : b[1];
            linear += 2 * m * k * cols;
            return new long[] {m, cols};
        }
        if (a[a.length - 1] != b[b.length - 2]) {
            throw new IllegalArgumentException(
                    "inner dimensions differ: " + Arrays.toString(a) + " x " + Arrays.toString(b));
        }
        long[] batch = broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a[a.length - 2];
        out[batch.length + 1] = b[b.length - 1];
        long flops = 2 * product(out) * a[a.length - 1];
        boolean weight = initializers.contains(n.getInput(0)) || initializers.contains(n.getInput(1));
        if (weight) {
            linear += flops;
        } else {
            attention += flops;
        }
        return out;
    }

    private static long[] reshape(long[] x, long[] target) {
        long[] out = target.clone();
        long known = 1;
        int infer = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                out[i] = x[i];
            }
            if (out[i] == -1) {
                infer = i;
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            out[infer] = product(x) / known;
        }
        if (product(out) != product(x)) {
            throw new IllegalArgumentException(
                    "cannot reshape " + Arrays.toString(x) + " to " + Arrays.toString(target));
        }
        return out;
    }

    private static long[] transpose(NodeProto n, long[] x) {
        long[] perm = intsAttr(n, "perm", null);
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[perm == null ? x.length - 1 - i : (int) perm[i]];
        }
        return out;
    }

    private long[] slice(NodeProto n, long[] x) {
        List<String> in = n.getInputList();
        long[] starts = constant(in.get(1));
        long[] ends = constant(in.get(2));
        long[] axes = in.size() > 3 && !in.get(3).isEmpty() ? constant(in.get(3)) : range(starts.length);
        long[] steps = in.size() > 4 && !in.get(4).isEmpty() ? constant(in.get(4)) : filled(starts.length, 1);
        long[] out = x.clone();
        long[] data = constants.get(in.get(0));
        long first = 0;
        for (int i = 0; i < axes.length; i++) {
            int a = (int) (axes[i] < 0 ? axes[i] + x.length : axes[i]);
            long d = x[a];
            long s = clamp(starts[i] < 0 ? starts[i] + d : starts[i], d);
            long e = clamp(ends[i] < 0 ? ends[i] + d : ends[i], d);
            if (steps[i] != 1) {
                throw new IllegalArgumentException("slices with steps other than 1 are not supported");
            }
            out[a] = Math.max(0, e - s);
            first = s;
        }
        if (data != null && x.length == 1) {
            constants.put(n.getOutput(0), Arrays.copyOfRange(data, (int) first, (int) (first + out[0])));
        }
        return out;
    }

    private long[] concat(NodeProto n) {
        List<String> in = n.getInputList();
        long[] out = shape(in.get(0)).clone();
        int axis = (int) intAttr(n, "axis", 0);
        if (axis < 0) {
            axis += out.length;
        }
        out[axis] = 0;
        boolean allConst = true;
        for (String name : in) {
            out[axis] += shape(name)[axis];
            allConst &= constants.containsKey(name);
        }
        if (allConst && out.length == 1) {
            long[] values = new long[(int) out[0]];
            int k = 0;
            for (String name : in) {
                for (long v : constants.get(name)) {
                    values[k++] = v;
                }
            }
            constants.put(n.getOutput(0), values);
        }
        return out;
    }

    private long[] gather(NodeProto n, long[] data) {
        long[] idx = shape(n.getInput(1));
        int axis = (int) intAttr(n, "axis", 0);
        long[] out = new long[data.length - 1 + idx.length];
        int k = 0;
        for (int j = 0; j < axis; j++) {
            out[k++] = data[j];
        }
        for (long j : idx) {
            out[k++] = j;
        }
        for (int j = axis + 1; j < data.length; j++) {
            out[k++] = data[j];
        }
        long[] values = constants.get(n.getInput(0));
        long[] indices = constants.get(n.getInput(1));
        if (values != null && indices != null && data.length == 1) {
            long[] g = new long[indices.length];
            for (int i = 0; i < g.length; i++) {
                g[i] = values[(int) (indices[i] < 0 ? indices[i] + values.length : indices[i])];
            }
            constants.put(n.getOutput(0), g);
        }
        return out;
    }

    private static long[] unsqueeze(long[] x, long[] axes) {
        long[] out = new long[x.length + axes.length];
        Set<Long> at = new HashSet<>();
        for (long a : axes) {
            at.add(a < 0 ? a + out.length : a);
        }
        for (int i = 0, j = 0; i < out.length; i++) {
            out[i] = at.contains((long) i) ? 1 : x[j++];
        }
        return out;
    }

    private static long[] squeeze(long[] x, long[] axes) {
        Set<Long> at = new HashSet<>();
        for (long a : axes) {
            at.add(a < 0 ? a + x.length : a);
        }
        return java.util.stream.IntStream.range(0, x.length)
                .filter(i -> !at.contains((long) i))
                .mapToLong(i -> x[i])
                .toArray();
    }

    private long[] resize(NodeProto n, long[] x) {
        List<String> in = n.getInputList();
        long[] out;
        if (in.size() > 3 && !in.get(3).isEmpty()) {
            out = constant(in.get(3)).clone();
        } else {
            float[] scales = floatConstants.get(in.get(2));
            if (scales == null) {
                throw new IllegalArgumentException("Resize scales are not a constant");
            }
            out = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (long) Math.floor(x[i] * scales[i]);
            }
        }
        other += product(out);
        return out;
    }

    private long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("value '" + name + "' has no known shape");
        }
        return s;
    }

    private long[] constant(String name) {
        long[] c = constants.get(name);
        if (c == null) {
            throw new IllegalArgumentException("value '" + name + "' is not a constant int64 tensor");
        }
        return c;
    }

    private static long[] fold(String op, long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long x = a[a.length == 1 ? 0 : i];
            long y = b[b.length == 1 ? 0 : i];
            out[i] = switch (op) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                case "Div" -> x / y;
                case "Mod" -> Math.floorMod(x, y);
                default -> throw new IllegalArgumentException("cannot fold int64 " + op);
            };
        }
        return out;
    }

    private static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            long db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(
                        "shapes do not broadcast: " + Arrays.toString(a) + " and " + Arrays.toString(b));
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    static long product(long[] s) {
        long p = 1;
        for (long d : s) {
            p *= d;
        }
        return p;
    }

    private static long clamp(long v, long d) {
        return Math.max(0, Math.min(v, d));
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    private static long[] range(int n) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static long intAttr(NodeProto n, String name, long dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return dflt;
    }

    private static long[] intsAttr(NodeProto n, String name, long[] dflt) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        return dflt;
    }

    private static long[] int64Values(TensorProto t) {
        if (t.getInt64DataCount() > 0) {
            return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        }
        ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long[] v = new long[buf.remaining() / 8];
        buf.asLongBuffer().get(v);
        return v;
    }

    private static float[] floatValues(ByteString raw) {
        ByteBuffer buf = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(v);
        return v;
    }
}
