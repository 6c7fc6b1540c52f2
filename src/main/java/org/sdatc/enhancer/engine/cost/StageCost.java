package org.sdatc.enhancer.engine.cost;

import java.util.Map;
import java.util.TreeMap;

/**
 * The cost of one call of one ONNX graph at fixed input shapes. FLOPs count a multiply-add as 2, and
 * only work on activations, values that depend on the values of the graph's inputs ({@link
 * GraphCost}): what is computed from weights and shapes alone is not counted.
 *
 * @param parameters elements of all float initializers, once more for each use of one that
 *     torch.onnx.export shared between parameters of equal value (through an Identity); what the
 *     exporter folded out of parameters (a relative-position bias gathered per window pair, 1 -
 *     alpha) counts as stored, so it can exceed PyTorch's count a little
 * @param linearFlops Conv, Gemm and MatMul with one operand that is not an activation: a weight or
 *     a value computed from weights alone (2 x multiply-adds; bias adds not counted)
 * @param attentionFlops MatMul of two activations: Q K^T and softmax(.) V of every self-attention
 *     (a cross-attention to a fixed learned context reads keys and values computed from weights:
 *     conv+linear)
 * @param otherFlops one per output element of element-wise (arithmetic, comparisons, Where),
 *     normalisation, softmax and resize ops, one per input element of reductions and pooling (an
 *     order of magnitude only: these ops are bound by memory, not arithmetic)
 * @param parametersByComponent parameters grouped by the name up to its second dot ("unet.ctrl")
 */
public record StageCost(
        long parameters,
        long linearFlops,
        long attentionFlops,
        long otherFlops,
        Map<String, Long> parametersByComponent) {

    public StageCost {
        parametersByComponent = Map.copyOf(parametersByComponent);
    }

    public long totalFlops() {
        return linearFlops + attentionFlops + otherFlops;
    }

    /** This cost divided by {@code calls} (a window's decoder call shared by its T frames). */
    public StageCost perCall(int calls) {
        return new StageCost(
                parameters, linearFlops / calls, attentionFlops / calls, otherFlops / calls, parametersByComponent);
    }

    /** Components in name order. */
    public Map<String, Long> sortedComponents() {
        return new TreeMap<>(parametersByComponent);
    }
}
