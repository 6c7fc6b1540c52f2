package org.sdatc.enhancer.engine.cost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.sdatc.enhancer.engine.onnx.ir.AttributeProto;
import org.sdatc.enhancer.engine.onnx.ir.GraphProto;
import org.sdatc.enhancer.engine.onnx.ir.ModelProto;
import org.sdatc.enhancer.engine.onnx.ir.NodeProto;
import org.sdatc.enhancer.engine.onnx.ir.TensorProto;
import org.sdatc.enhancer.engine.onnx.ir.ValueInfoProto;

/**
 * Counts parameters and FLOPs of an ONNX graph by walking its nodes with concrete shapes: a small
 * shape inference over the operators of the project's own graphs and of what torch.onnx.export
 * writes for the training side's models. H and W stay symbolic in those graphs, so the shape
 * arithmetic around them is folded: an integer (int64, int32 or bool) tensor computed from
 * constants and shapes alone carries its elements (Shape, Gather, Concat, Slice, Range,
 * ConstantOfShape, Expand, comparisons, Where, ...), which sizes the Reshape, Pad, Resize and If
 * that read it. Float arithmetic is never folded.
 *
 * <p>FLOPs are counted only for ops with an activation among their inputs, a value that depends on
 * the values of the graph's inputs (see {@link StageCost} for the categories). What is computed
 * from weights and shapes alone (a weight transposed at export, the shifted-window mask built
 * from H and W) ONNX Runtime folds at load or costs next to nothing.
 *
 * <p>Parameter values are never read, so graphs saved with external data, or built without
 * values, are counted the same.
 */
public final class GraphCost {
    /**
     * Integer tensors up to this many elements carry their elements; larger ones (index maps or
     * masks of a large frame) only their shape, which is all that what reads them needs.
     */
    private static final int FOLD_LIMIT = 1 << 16;
    /** Float tensors up to this many elements keep their values: Resize scales. */
    private static final int SCALES_LIMIT = 16;

    /**
     * Element-wise ops (one FLOP per output element) that fold on integers, bool as 0 and 1: the
     * rule gives an element of the result from the operands' elements.
     */
    private static final Map<String, ToLongFunction<long[]>> INTEGER_ELEMENTWISE = Map.ofEntries(
            rule("Add", v -> v[0] + v[1]),
            rule("Sub", v -> v[0] - v[1]),
            rule("Mul", v -> v[0] * v[1]),
            rule("Div", v -> v[0] / v[1]),
            rule("Mod", v -> Math.floorMod(v[0], v[1])),
            rule("Pow", v -> (long) Math.pow(v[0], v[1])),
            rule("Max", v -> Math.max(v[0], v[1])),
            rule("Min", v -> Math.min(v[0], v[1])),
            rule("Neg", v -> -v[0]),
            rule("Abs", v -> Math.abs(v[0])),
            rule("Equal", v -> bool(v[0] == v[1])),
            rule("Less", v -> bool(v[0] < v[1])),
            rule("LessOrEqual", v -> bool(v[0] <= v[1])),
            rule("Greater", v -> bool(v[0] > v[1])),
            rule("GreaterOrEqual", v -> bool(v[0] >= v[1])),
            rule("And", v -> bool(v[0] != 0 && v[1] != 0)),
            rule("Or", v -> bool(v[0] != 0 || v[1] != 0)),
            rule("Xor", v -> bool((v[0] != 0) != (v[1] != 0))),
            rule("Not", v -> bool(v[0] == 0)),
            rule("Where", v -> v[0] != 0 ? v[1] : v[2]));

    private static Map.Entry<String, ToLongFunction<long[]>> rule(String op, ToLongFunction<long[]> f) {
        return Map.entry(op, f);
    }

    /** Element-wise ops on floats only (one FLOP per output element). */
    private static final Set<String> FLOAT_ELEMENTWISE = Set.of(
            "Sigmoid",
            "Sin",
            "Cos",
            "Erf",
            "Clip",
            "LeakyRelu",
            "Relu",
            "Tanh",
            "Exp",
            "Log",
            "Sqrt",
            "Reciprocal",
            "Floor",
            "Ceil");
    /** One output of the shape of the first input, one FLOP per element as for element-wise ops. */
    private static final Set<String> NORMALISATIONS =
            Set.of("Softmax", "LayerNormalization", "InstanceNormalization", "LpNormalization");

    /** One FLOP per input element. */
    private static final Set<String> REDUCTIONS =
            Set.of("ReduceMean", "ReduceSum", "ReduceL2", "ReduceL1", "ReduceMax", "ReduceMin", "ReduceSumSquare");

    /** The cost and the shapes of the graph's outputs. */
    public record Result(StageCost cost, Map<String, long[]> outputShapes) {}

    private final Map<String, long[]> shapes = new HashMap<>();
    /** Elements (row-major) of the integer values that are known. */
    private final Map<String, long[]> known = new HashMap<>();

    private final Map<String, float[]> scales = new HashMap<>();
    /** Values that depend on the values of the graph's inputs. */
    private final Set<String> activations = new HashSet<>();
    /** Elements of every float initializer, by name. */
    private final Map<String, Long> parameterSizes = new HashMap<>();

    private final Map<String, Long> byComponent = new LinkedHashMap<>();
    private long parameters;
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
        GraphProto graph = model.getGraph();
        Set<String> initializers = new HashSet<>();
        graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
        for (ValueInfoProto in : graph.getInputList()) {
            if (initializers.contains(in.getName())) {
                continue;
            }
            long[] s = inputShapes.get(in.getName());
            if (s == null) {
                throw new IllegalArgumentException(
                        "no shape given for graph input '" + in.getName() + "' of graph " + graph.getName());
            }
            g.shapes.put(in.getName(), s.clone());
            g.activations.add(in.getName());
        }
        g.walk(graph);
        Map<String, long[]> outputs = new LinkedHashMap<>();
        for (ValueInfoProto out : graph.getOutputList()) {
            outputs.put(out.getName(), g.shape(out.getName()).clone());
        }
        return new Result(new StageCost(g.parameters, g.linear, g.attention, g.other, g.byComponent), outputs);
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

    /** Counts the parameters of {@code graph} and sizes its nodes (the main graph or a branch of If). */
    private void walk(GraphProto graph) {
        for (TensorProto t : graph.getInitializerList()) {
            define(t.getName(), t);
            if (isFloat(t.getDataType())) {
                long n = product(dims(t));
                parameterSizes.put(t.getName(), n);
                countParameters(t.getName(), n);
            }
        }
        for (NodeProto n : graph.getNodeList()) {
            try {
                visit(n);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "cannot size node " + n.getName() + " (" + n.getOpType() + ") of graph " + graph.getName()
                                + ": " + e.getMessage(),
                        e);
            }
        }
    }

    private void countParameters(String name, long n) {
        parameters += n;
        byComponent.merge(component(name), n, Long::sum);
    }

    private void visit(NodeProto n) {
        String op = n.getOpType();
        switch (op) {
            case "Constant" -> constant(n);
            case "Identity" -> identity(n);
            case "Cast" -> cast(n);
            case "Shape" -> shapeOf(n);
            case "Reshape" -> relabel(n, reshape(shape(n.getInput(0)), ints(n.getInput(1))));
            case "Flatten" -> relabel(n, flatten(shape(n.getInput(0)), intAttr(n, "axis", 1)));
            case "Squeeze" -> relabel(n, squeeze(shape(n.getInput(0)), axes(n)));
            case "Unsqueeze" -> relabel(n, unsqueeze(shape(n.getInput(0)), axes(n)));
            case "Transpose" -> transpose(n);
            case "Slice" -> slice(n);
            case "Split" -> split(n);
            case "Concat" -> concat(n);
            case "Gather" -> gather(n);
            case "Expand" -> expand(n);
            case "ConstantOfShape" -> constantOfShape(n);
            case "Range" -> range(n);
            case "If" -> branch(n);
            case "Pad" -> pad(n);
            case "DepthToSpace", "SpaceToDepth" -> put(n.getOutput(0), rearranged(n), null);
            case "Conv" -> conv(n);
            case "MatMul", "Gemm" -> matmul(n);
            case "Resize" -> resize(n);
            case "GlobalAveragePool" -> {
                long[] spatial = range(shape(n.getInput(0)).length);
                reduce(n, Arrays.copyOfRange(spatial, 2, spatial.length), true);
            }
            default -> {
                if (INTEGER_ELEMENTWISE.containsKey(op) || FLOAT_ELEMENTWISE.contains(op)) {
                    elementwise(n);
                } else if (NORMALISATIONS.contains(op)) {
                    put(n.getOutput(0), shape(n.getInput(0)), null);
                    countOther(n, product(shape(n.getInput(0))));
                } else if (REDUCTIONS.contains(op)) {
                    reduce(n, axes(n), intAttr(n, "keepdims", 1) == 1);
                } else {
                    throw new IllegalArgumentException(
                            "op " + op + " is not supported by model info; extend GraphCost");
                }
            }
        }
        if (!op.equals("Shape") && live(n)) {
            activations.addAll(n.getOutputList());
        }
    }

    /** Whether an input of {@code n} is an activation: then what it computes is counted. */
    private boolean live(NodeProto n) {
        return n.getInputList().stream().anyMatch(activations::contains);
    }

    /** Element-wise work: one FLOP per output element, the meaning of "other". */
    private void countOther(NodeProto n, long flops) {
        if (live(n)) {
            other += flops;
        }
    }

    // ---- values ----

    /** An initializer or a Constant node's tensor. */
    private void define(String name, TensorProto t) {
        long[] dims = dims(t);
        long[] ints = integerValues(t);
        put(name, dims, ints == null || ints.length != product(dims) ? null : () -> ints);
        if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE && product(dims) <= SCALES_LIMIT) {
            float[] f = floatValues(t);
            if (f.length == product(dims)) {
                scales.put(name, f);
            }
        }
    }

    /**
     * Records value {@code name}: its shape and, when {@code elements} is given (its inputs are
     * known) and the value is small enough, its elements.
     */
    private void put(String name, long[] shape, Supplier<long[]> elements) {
        shapes.put(name, shape);
        if (elements != null && product(shape) <= FOLD_LIMIT) {
            known.put(name, elements.get());
        }
    }

    /** The elements of {@code name} mapped by {@code f}, to be computed if {@code name} is known. */
    private Supplier<long[]> same(String name, UnaryOperator<long[]> f) {
        long[] v = known.get(name);
        return v == null ? null : () -> f.apply(v);
    }

    /** A new shape (or the same) of the same elements: Reshape, Flatten, Squeeze, Unsqueeze, Identity. */
    private void relabel(NodeProto n, long[] shape) {
        put(n.getOutput(0), shape, same(n.getInput(0), v -> v));
    }

    private boolean allKnown(List<String> names) {
        return names.stream().filter(s -> !s.isEmpty()).allMatch(known::containsKey);
    }

    private long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("value '" + name + "' has no known shape");
        }
        return s;
    }

    /** The elements of an integer value that must be known (a shape, pads, axes). */
    private long[] ints(String name) {
        long[] v = known.get(name);
        if (v == null) {
            throw new IllegalArgumentException("value '" + name + "' is not a constant integer tensor (model info"
                    + " folds integer arithmetic on shapes and constants, not on activations or floats)");
        }
        return v;
    }

    private long scalar(String name) {
        long[] v = ints(name);
        if (v.length != 1) {
            throw new IllegalArgumentException("value '" + name + "' has " + v.length + " elements, expected 1");
        }
        return v[0];
    }

    private static boolean present(List<String> in, int i) {
        return in.size() > i && !in.get(i).isEmpty();
    }

    // ---- ops ----

    private void constant(NodeProto n) {
        TensorProto t = tensorAttr(n, "value");
        if (t == null) {
            throw new IllegalArgumentException("only Constant nodes with a tensor 'value' are supported");
        }
        define(n.getOutput(0), t);
    }

    private void identity(NodeProto n) {
        String x = n.getInput(0);
        // torch.onnx.export stores parameters of equal value once and feeds the others through an
        // Identity: each stands for a parameter of its own.
        Long shared = parameterSizes.get(x);
        if (shared != null) {
            countParameters(x, shared);
        }
        relabel(n, shape(x));
        if (scales.containsKey(x)) {
            scales.put(n.getOutput(0), scales.get(x));
        }
    }

    /** Integer values stay known through a cast to an integer type (bool: 0 or 1). */
    private void cast(NodeProto n) {
        int to = (int) intAttr(n, "to", 0);
        UnaryOperator<long[]> convert = to == TensorProto.DataType.BOOL_VALUE
                ? v -> Arrays.stream(v).map(e -> bool(e != 0)).toArray()
                : v -> v;
        put(n.getOutput(0), shape(n.getInput(0)), isInteger(to) ? same(n.getInput(0), convert) : null);
    }

    private void shapeOf(NodeProto n) {
        long[] x = shape(n.getInput(0));
        int start = (int) axis(intAttr(n, "start", 0), x.length);
        int end = (int) axis(intAttr(n, "end", x.length), x.length);
        long[] dims = Arrays.copyOfRange(x, start, Math.max(start, end));
        put(n.getOutput(0), new long[] {dims.length}, () -> dims);
    }

    private void expand(NodeProto n) {
        long[] x = shape(n.getInput(0));
        long[] out = broadcast(x, ints(n.getInput(1)));
        put(n.getOutput(0), out, same(n.getInput(0), v -> take(v, out, broadcastFrom(x, out))));
    }

    private void constantOfShape(NodeProto n) {
        long[] out = ints(n.getInput(0));
        TensorProto value = tensorAttr(n, "value"); // absent: float 0
        long[] fill = value == null ? null : integerValues(value);
        put(n.getOutput(0), out, fill == null ? null : () -> filled((int) product(out), fill[0]));
    }

    private void range(NodeProto n) {
        long start = scalar(n.getInput(0));
        long delta = scalar(n.getInput(2));
        long count = Math.max(0, Math.ceilDiv(scalar(n.getInput(1)) - start, delta));
        put(n.getOutput(0), new long[] {count}, () -> {
            long[] v = new long[(int) count];
            Arrays.setAll(v, i -> start + i * delta);
            return v;
        });
    }

    /** Broadcasting element-wise op; folded when every operand is a known integer. */
    private void elementwise(NodeProto n) {
        List<String> in = n.getInputList().stream().filter(s -> !s.isEmpty()).toList();
        long[] out = in.stream().map(this::shape).reduce(GraphCost::broadcast).orElseThrow();
        ToLongFunction<long[]> fold = n.getOpType().equals("Mod") && intAttr(n, "fmod", 0) == 1
                ? v -> v[0] % v[1]
                : INTEGER_ELEMENTWISE.get(n.getOpType());
        put(n.getOutput(0), out, fold != null && allKnown(in) ? () -> zip(in, out, fold) : null);
        countOther(n, product(out));
    }

    /** The operands broadcast to {@code out} and combined element by element. */
    private long[] zip(List<String> operands, long[] out, ToLongFunction<long[]> fold) {
        long[][] columns = new long[operands.size()][];
        for (int k = 0; k < columns.length; k++) {
            String name = operands.get(k);
            columns[k] = take(known.get(name), out, broadcastFrom(shape(name), out));
        }
        long[] v = new long[(int) product(out)];
        long[] operandsAt = new long[columns.length];
        for (int i = 0; i < v.length; i++) {
            for (int k = 0; k < columns.length; k++) {
                operandsAt[k] = columns[k][i];
            }
            v[i] = fold.applyAsLong(operandsAt);
        }
        return v;
    }

    private void transpose(NodeProto n) {
        long[] x = shape(n.getInput(0));
        long[] perm = intsAttr(n, "perm", null);
        if (perm == null) {
            perm = new long[x.length];
            Arrays.setAll(perm, i -> x.length - 1 - i);
        }
        long[] out = new long[x.length];
        long[] stride = strides(x);
        long[] from = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[(int) perm[i]];
            from[i] = stride[(int) perm[i]];
        }
        put(n.getOutput(0), out, same(n.getInput(0), v -> take(v, out, at -> dot(at, from))));
    }

    private void slice(NodeProto n) {
        List<String> in = n.getInputList();
        long[] x = shape(in.get(0));
        long[] starts = ints(in.get(1));
        long[] ends = ints(in.get(2));
        long[] axes = present(in, 3) ? ints(in.get(3)) : range(starts.length);
        long[] steps = present(in, 4) ? ints(in.get(4)) : filled(starts.length, 1);
        long[] out = x.clone();
        long[] first = new long[x.length];
        long[] step = filled(x.length, 1);
        for (int i = 0; i < axes.length; i++) {
            int a = (int) axis(axes[i], x.length);
            long d = x[a];
            long s = steps[i];
            if (s == 0) {
                throw new IllegalArgumentException("slice step 0 on axis " + a);
            }
            long b = starts[i] < 0 ? starts[i] + d : starts[i];
            long e = ends[i] < 0 ? ends[i] + d : ends[i];
            // ONNX clamps to the valid range of the direction of travel.
            b = s > 0 ? clamp(b, 0, d) : clamp(b, 0, d - 1);
            e = s > 0 ? clamp(e, 0, d) : clamp(e, -1, d - 1);
            out[a] = Math.max(0, Math.ceilDiv(e - b, s));
            first[a] = b;
            step[a] = s;
        }
        strided(n.getOutput(0), in.get(0), first, step, out);
    }

    /** Equal parts (or the sizes given) of the input along an axis: slices of step 1. */
    private void split(NodeProto n) {
        List<String> in = n.getInputList();
        long[] x = shape(in.get(0));
        int a = (int) axis(intAttr(n, "axis", 0), x.length);
        int parts = n.getOutputCount();
        long[] sizes = present(in, 1) ? ints(in.get(1)) : intsAttr(n, "split", null);
        if (sizes == null) {
            long each = Math.ceilDiv(x[a], parts);
            sizes = new long[parts];
            Arrays.setAll(sizes, i -> Math.min(each, x[a] - i * each));
        }
        long offset = 0;
        for (int i = 0; i < parts; i++) {
            long[] first = new long[x.length];
            first[a] = offset;
            long[] out = x.clone();
            out[a] = sizes[i];
            strided(n.getOutput(i), in.get(0), first, filled(x.length, 1), out);
            offset += sizes[i];
        }
    }

    /** Element {@code at} of the output is element {@code first + at * step} of {@code source}. */
    private void strided(String name, String source, long[] first, long[] step, long[] out) {
        long[] stride = strides(shape(source));
        ToLongFunction<long[]> from = at -> {
            long f = 0;
            for (int d = 0; d < at.length; d++) {
                f += (first[d] + at[d] * step[d]) * stride[d];
            }
            return f;
        };
        put(name, out, same(source, v -> take(v, out, from)));
    }

    private void concat(NodeProto n) {
        List<String> in = n.getInputList().stream().filter(s -> !s.isEmpty()).toList();
        long[] out = shape(in.get(0)).clone();
        int a = (int) axis(intAttr(n, "axis", 0), out.length);
        out[a] = in.stream().mapToLong(name -> shape(name)[a]).sum();
        put(n.getOutput(0), out, allKnown(in) ? () -> concatenated(in, a, out) : null);
    }

    /** Per index before {@code axis}, the block of each input in turn. */
    private long[] concatenated(List<String> in, int axis, long[] out) {
        long inner = product(Arrays.copyOfRange(out, axis + 1, out.length));
        long outer = product(Arrays.copyOf(out, axis));
        long[] v = new long[(int) product(out)];
        int p = 0;
        for (int o = 0; o < outer; o++) {
            for (String name : in) {
                int block = (int) (shape(name)[axis] * inner);
                System.arraycopy(known.get(name), o * block, v, p, block);
                p += block;
            }
        }
        return v;
    }

    private void gather(NodeProto n) {
        long[] data = shape(n.getInput(0));
        long[] idx = shape(n.getInput(1));
        int a = (int) axis(intAttr(n, "axis", 0), data.length);
        long[] out = new long[data.length - 1 + idx.length];
        System.arraycopy(data, 0, out, 0, a);
        System.arraycopy(idx, 0, out, a, idx.length);
        System.arraycopy(data, a + 1, out, a + idx.length, data.length - a - 1);
        if (!allKnown(n.getInputList())) {
            put(n.getOutput(0), out, null);
            return;
        }
        long[] indices = known.get(n.getInput(1));
        long[] stride = strides(data);
        long[] idxStride = strides(idx);
        // Output index (before..., index..., after...) reads data (before..., indices[index], after...).
        ToLongFunction<long[]> from = at -> {
            long j = indices[(int) dot(Arrays.copyOfRange(at, a, a + idx.length), idxStride)];
            long f = (j < 0 ? j + data[a] : j) * stride[a];
            for (int d = 0; d < data.length; d++) {
                f += d < a ? at[d] * stride[d] : d > a ? at[d - 1 + idx.length] * stride[d] : 0;
            }
            return f;
        };
        put(n.getOutput(0), out, () -> take(known.get(n.getInput(0)), out, from));
    }

    /** The branch that the condition selects, sized where it reads the values around it. */
    private void branch(NodeProto n) {
        if (!known.containsKey(n.getInput(0))) {
            throw new IllegalArgumentException("the condition '" + n.getInput(0) + "' is not a constant: model info"
                    + " sizes only the branch that a condition folded from shapes and constants selects");
        }
        String taken = scalar(n.getInput(0)) != 0 ? "then_branch" : "else_branch";
        GraphProto g = n.getAttributeList().stream()
                .filter(at -> at.getName().equals(taken))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("If without a " + taken))
                .getG();
        walk(g);
        for (int i = 0; i < n.getOutputCount(); i++) {
            String from = g.getOutput(i).getName();
            put(n.getOutput(i), shape(from), same(from, v -> v));
            if (activations.contains(from)) {
                activations.add(n.getOutput(i));
            }
        }
    }

    private void pad(NodeProto n) {
        List<String> in = n.getInputList();
        long[] x = shape(in.get(0));
        long[] pads = ints(in.get(1));
        long[] axes = present(in, 3) ? ints(in.get(3)) : range(x.length);
        long[] out = x.clone();
        for (int i = 0; i < axes.length; i++) {
            int a = (int) axis(axes[i], x.length);
            out[a] += pads[i] + pads[i + axes.length];
        }
        put(n.getOutput(0), out, null);
    }

    private void conv(NodeProto n) {
        long[] x = shape(n.getInput(0));
        long[] w = shape(n.getInput(1));
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
        put(n.getOutput(0), out, null);
        if (live(n)) {
            linear += 2 * product(out) * w[1] * taps;
        }
    }

    /** Conv+linear when one operand is not an activation (a weight), attention when both are. */
    private void matmul(NodeProto n) {
        long[] a = shape(n.getInput(0));
        long[] b = shape(n.getInput(1));
        long[] out;
        long inner;
        if (n.getOpType().equals("Gemm")) {
            boolean ta = intAttr(n, "transA", 0) == 1;
            inner = ta ? a[0] : a[1];
            out = new long[] {ta ? a[1] : a[0], intAttr(n, "transB", 0) == 1 ? b[0] : b[1]};
        } else {
            if (a[a.length - 1] != b[b.length - 2]) {
                throw new IllegalArgumentException(
                        "inner dimensions differ: " + Arrays.toString(a) + " x " + Arrays.toString(b));
            }
            long[] batch = broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
            out = Arrays.copyOf(batch, batch.length + 2);
            out[batch.length] = a[a.length - 2];
            out[batch.length + 1] = b[b.length - 1];
            inner = a[a.length - 1];
        }
        put(n.getOutput(0), out, null);
        long flops = 2 * product(out) * inner;
        boolean liveA = activations.contains(n.getInput(0));
        boolean liveB = activations.contains(n.getInput(1));
        if (liveA && liveB) {
            attention += flops;
        } else if (liveA || liveB) {
            linear += flops;
        }
    }

    private void resize(NodeProto n) {
        List<String> in = n.getInputList();
        long[] x = shape(in.get(0));
        long[] out;
        if (present(in, 3)) {
            out = ints(in.get(3)).clone();
        } else {
            float[] s = present(in, 2) ? scales.get(in.get(2)) : null;
            if (s == null) {
                throw new IllegalArgumentException("Resize scales are not a constant");
            }
            out = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (long) Math.floor(x[i] * s[i]);
            }
        }
        put(n.getOutput(0), out, null);
        countOther(n, product(out));
    }

    /** A reduction over {@code axes} (null or empty: all of them): one FLOP per input element. */
    private void reduce(NodeProto n, long[] axes, boolean keep) {
        long[] x = shape(n.getInput(0));
        long[] out;
        if ((axes == null || axes.length == 0) && intAttr(n, "noop_with_empty_axes", 0) == 1) {
            out = x.clone();
        } else {
            Set<Long> at = axisSet(axes == null || axes.length == 0 ? range(x.length) : axes, x.length);
            out = IntStream.range(0, x.length)
                    .filter(d -> keep || !at.contains((long) d))
                    .mapToLong(d -> at.contains((long) d) ? 1 : x[d])
                    .toArray();
        }
        put(n.getOutput(0), out, null);
        countOther(n, product(x));
    }

    // ---- shape rules ----

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

    private static long[] flatten(long[] x, long axis) {
        int a = (int) axis(axis, x.length);
        return new long[] {product(Arrays.copyOf(x, a)), product(Arrays.copyOfRange(x, a, x.length))};
    }

    /** DepthToSpace or SpaceToDepth of an NCHW value. */
    private long[] rearranged(NodeProto n) {
        long[] x = shape(n.getInput(0));
        long b = intAttr(n, "blocksize", 0);
        return n.getOpType().equals("DepthToSpace")
                ? new long[] {x[0], x[1] / (b * b), x[2] * b, x[3] * b}
                : new long[] {x[0], x[1] * b * b, x[2] / b, x[3] / b};
    }

    /** Axes of Squeeze, Unsqueeze and the reductions: their second input (opset 13+) or attribute. */
    private long[] axes(NodeProto n) {
        return present(n.getInputList(), 1) ? ints(n.getInput(1)) : intsAttr(n, "axes", null);
    }

    private static long[] unsqueeze(long[] x, long[] axes) {
        long[] out = new long[x.length + axes.length];
        Set<Long> at = axisSet(axes, out.length);
        for (int i = 0, j = 0; i < out.length; i++) {
            out[i] = at.contains((long) i) ? 1 : x[j++];
        }
        return out;
    }

    /** Without axes, every dimension of size 1 goes. */
    private static long[] squeeze(long[] x, long[] axes) {
        Set<Long> at = axes == null ? Set.of() : axisSet(axes, x.length);
        return IntStream.range(0, x.length)
                .filter(i -> axes == null ? x[i] != 1 : !at.contains((long) i))
                .mapToLong(i -> x[i])
                .toArray();
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

    // ---- elements ----

    /** Element {@code i} of the result is element {@code source(at)} of {@code v}, at the i-th index of {@code out}. */
    private static long[] take(long[] v, long[] out, ToLongFunction<long[]> source) {
        long[] r = new long[(int) product(out)];
        long[] at = new long[out.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = v[(int) source.applyAsLong(at)];
            for (int d = at.length - 1; d >= 0 && ++at[d] == out[d]; d--) {
                at[d] = 0;
            }
        }
        return r;
    }

    /** Where an index of the broadcast shape {@code out} reads a value of shape {@code from}. */
    private static ToLongFunction<long[]> broadcastFrom(long[] from, long[] out) {
        long[] stride = strides(from);
        int offset = out.length - from.length;
        for (int d = 0; d < from.length; d++) {
            if (from[d] == 1) {
                stride[d] = 0;
            }
        }
        return at -> dot(Arrays.copyOfRange(at, offset, at.length), stride);
    }

    private static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long p = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = p;
            p *= shape[d];
        }
        return s;
    }

    private static long dot(long[] a, long[] b) {
        long s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static long bool(boolean b) {
        return b ? 1 : 0;
    }

    static long product(long[] s) {
        long p = 1;
        for (long d : s) {
            p *= d;
        }
        return p;
    }

    /** A possibly negative axis (or Shape's start and end), counted from the front and clamped. */
    private static long axis(long a, int rank) {
        return clamp(a < 0 ? a + rank : a, 0, rank);
    }

    private static Set<Long> axisSet(long[] axes, int rank) {
        Set<Long> at = new HashSet<>();
        for (long a : axes) {
            at.add(a < 0 ? a + rank : a);
        }
        return at;
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(v, hi));
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    private static long[] range(int n) {
        long[] a = new long[n];
        Arrays.setAll(a, i -> i);
        return a;
    }

    // ---- attributes and tensors ----

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

    private static TensorProto tensorAttr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name) && a.hasT()) {
                return a.getT();
            }
        }
        return null;
    }

    private static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static boolean isFloat(int type) {
        return type == TensorProto.DataType.FLOAT_VALUE
                || type == TensorProto.DataType.FLOAT16_VALUE
                || type == TensorProto.DataType.DOUBLE_VALUE;
    }

    private static boolean isInteger(int type) {
        return type == TensorProto.DataType.INT64_VALUE
                || type == TensorProto.DataType.INT32_VALUE
                || type == TensorProto.DataType.BOOL_VALUE;
    }

    /** The elements of an int64, int32 or bool tensor (null for other types; empty without data). */
    private static long[] integerValues(TensorProto t) {
        int type = t.getDataType();
        if (!isInteger(type)) {
            return null;
        }
        if (t.getInt64DataCount() > 0) {
            return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        }
        if (t.getInt32DataCount() > 0) {
            return t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
        }
        ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int width = type == TensorProto.DataType.INT64_VALUE ? 8 : type == TensorProto.DataType.INT32_VALUE ? 4 : 1;
        long[] v = new long[buf.remaining() / width];
        for (int i = 0; i < v.length; i++) {
            v[i] = width == 8 ? buf.getLong() : width == 4 ? buf.getInt() : buf.get();
        }
        return v;
    }

    private static float[] floatValues(TensorProto t) {
        if (t.getFloatDataCount() > 0) {
            float[] v = new float[t.getFloatDataCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getFloatData(i);
            }
            return v;
        }
        ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(v);
        return v;
    }
}
