package org.sdatc.enhancer.engine.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.sdatc.enhancer.engine.onnx.ir.ModelProto;
import org.sdatc.enhancer.engine.onnx.ir.NodeProto;
import org.sdatc.enhancer.engine.onnx.ir.TensorProto;
import org.sdatc.enhancer.engine.onnx.ir.ValueInfoProto;

/**
 * The DCM's last op is usually PixelShuffle(4), exported as DepthToSpace in CRD mode: a pure
 * permutation that ONNX Runtime's CPU provider runs slowly (7 ms of 21 for the lite DCM at
 * 256x144). The engine runs such a graph without that node and does the permutation in Java while
 * it converts frames anyway ({@link StageSession#runPhases}); {@code restored} is still what
 * {@link StageSession#run} returns.
 */
final class PixelShuffleCut {
    /**
     * The graph without its final DepthToSpace, the contract output that node made, the output the
     * graph now ends in, and the block size.
     */
    record Cut(byte[] model, String output, String phasesOutput, int factor) {}

    private PixelShuffleCut() {}

    /**
     * The cut graph, when {@code output} is produced by DepthToSpace(blocksize, CRD) and the graph
     * keeps its weights inside (a graph with external data must be opened from its file).
     */
    static Optional<Cut> of(Path file, String output) {
        ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            model = ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new ModelContractException(
                    "cannot read " + file + " to cut its final DepthToSpace: " + e.getMessage(), e);
        }
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                return Optional.empty();
            }
        }
        var graph = model.getGraph();
        int outIndex = -1;
        for (int i = 0; i < graph.getOutputCount(); i++) {
            if (graph.getOutput(i).getName().equals(output)) {
                outIndex = i;
            }
        }
        if (outIndex < 0 || graph.getOutputCount() != 1) {
            return Optional.empty();
        }
        int nodeIndex = -1;
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (graph.getNode(i).getOutputList().contains(output)) {
                nodeIndex = i;
            }
        }
        if (nodeIndex < 0) {
            return Optional.empty();
        }
        NodeProto node = graph.getNode(nodeIndex);
        if (!node.getOpType().equals("DepthToSpace") || !"CRD".equals(stringAttr(node, "mode"))) {
            return Optional.empty();
        }
        int factor = (int) intAttr(node, "blocksize");
        String phases = node.getInput(0);
        ValueInfoProto.Builder out =
                ValueInfoProto.newBuilder(graph.getOutput(outIndex)).setName(phases);
        // The channel axis becomes 3 * factor^2 and the spatial axes shrink: leave the shape to ORT.
        out.getTypeBuilder().getTensorTypeBuilder().clearShape();
        var cut = model.toBuilder();
        cut.getGraphBuilder().removeNode(nodeIndex).setOutput(outIndex, out);
        return Optional.of(new Cut(cut.build().toByteArray(), output, phases, factor));
    }

    private static String stringAttr(NodeProto n, String name) {
        for (var a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getS().toStringUtf8();
            }
        }
        // ONNX's default mode is DCR.
        return "DCR";
    }

    private static long intAttr(NodeProto n, String name) {
        for (var a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return 0;
    }
}
