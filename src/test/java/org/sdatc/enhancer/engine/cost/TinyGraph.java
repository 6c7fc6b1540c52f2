package org.sdatc.enhancer.engine.cost;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sdatc.enhancer.engine.onnx.ir.AttributeProto;
import org.sdatc.enhancer.engine.onnx.ir.GraphProto;
import org.sdatc.enhancer.engine.onnx.ir.ModelProto;
import org.sdatc.enhancer.engine.onnx.ir.NodeProto;
import org.sdatc.enhancer.engine.onnx.ir.OperatorSetIdProto;
import org.sdatc.enhancer.engine.onnx.ir.TensorProto;
import org.sdatc.enhancer.engine.onnx.ir.ValueInfoProto;

/**
 * A small ONNX graph written the way torch.onnx.export writes one (constants as Constant nodes,
 * opset 17), for the ops that OnnxGraphBuilder has no method for. Input shapes are given when the
 * graph is counted, so inputs and outputs carry names only.
 */
final class TinyGraph {
    private final String name;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    TinyGraph(String name) {
        this.name = name;
        graph.setName(name);
    }

    String input(String value) {
        graph.addInput(ValueInfoProto.newBuilder().setName(value));
        return value;
    }

    TinyGraph output(String value) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(value));
        return this;
    }

    /** A float initializer without values, as the graphs of model info are counted. */
    String param(String value, long... dims) {
        graph.addInitializer(TensorProto.newBuilder()
                .setName(value)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(Arrays.stream(dims).boxed().toList()));
        return value;
    }

    /** A 1-D int64 Constant. */
    String ints(long... values) {
        return constant(int64(new long[] {values.length}, values));
    }

    /** A 0-D int64 Constant (what torch writes for a Python int). */
    String scalar(long value) {
        return constant(int64(new long[0], value));
    }

    /** A 0-D float Constant. */
    String real(float value) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        return constant(TensorProto.newBuilder()
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()))
                .build());
    }

    String op(String type, String... inputs) {
        return op(type, List.of(), inputs);
    }

    String op(String type, List<AttributeProto> attributes, String... inputs) {
        return ops(type, 1, attributes, inputs).get(0);
    }

    List<String> ops(String type, int outputs, List<AttributeProto> attributes, String... inputs) {
        String node = name + "/" + type + "_" + counter++;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            out.add(node + "_output_" + i);
        }
        graph.addNode(NodeProto.newBuilder()
                .setName(node)
                .setOpType(type)
                .addAllInput(List.of(inputs))
                .addAllOutput(out)
                .addAllAttribute(attributes));
        return out;
    }

    GraphProto graph() {
        return graph.build();
    }

    GraphCost.Result count(Map<String, long[]> inputs) {
        ModelProto model = ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph)
                .build();
        return GraphCost.of(model, inputs);
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    static AttributeProto attrs(String name, long... values) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INTS)
                .addAllInts(Arrays.stream(values).boxed().toList())
                .build();
    }

    static AttributeProto branch(String name, GraphProto g) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.GRAPH)
                .setG(g)
                .build();
    }

    static AttributeProto tensor(String name, TensorProto t) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.TENSOR)
                .setT(t)
                .build();
    }

    static TensorProto int64(long[] dims, long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return TensorProto.newBuilder()
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addAllDims(Arrays.stream(dims).boxed().toList())
                .setRawData(ByteString.copyFrom(b.array()))
                .build();
    }

    private String constant(TensorProto value) {
        return op("Constant", List.of(tensor("value", value)));
    }
}
