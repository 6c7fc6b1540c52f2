package org.sdatc.enhancer.engine.cost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sdatc.enhancer.engine.cost.TinyGraph.attr;
import static org.sdatc.enhancer.engine.cost.TinyGraph.attrs;
import static org.sdatc.enhancer.engine.cost.TinyGraph.branch;
import static org.sdatc.enhancer.engine.cost.TinyGraph.int64;
import static org.sdatc.enhancer.engine.cost.TinyGraph.tensor;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.reference.OnnxGraphBuilder;
import org.sdatc.enhancer.engine.reference.OnnxGraphBuilder.ElemType;
import org.sdatc.enhancer.engine.reference.Value;

class GraphCostTest {
    private static String dim(TinyGraph g, String x, long axis) {
        return g.op("Gather", List.of(attr("axis", 0)), g.op("Shape", x), g.scalar(axis));
    }

    @Test
    void torchsPadToAWindowMultipleFoldsThroughConstantOfShapeAndAReversedSliceAndCostsNothing() {
        // F.pad(x, (0, (4 - W % 4) % 4, 0, (4 - H % 4) % 4), "replicate"), as torch.onnx writes it at
        // the start of the Swin DCM: torch's pads (last axis first, begin/end pairs) are reordered to
        // ONNX's (every begin, then every end) with a reversed Slice and a Transpose.
        TinyGraph g = new TinyGraph("pad");
        String x = g.input("lq");
        String padH = g.op("Mod", g.op("Sub", g.scalar(4), g.op("Mod", dim(g, x, 2), g.scalar(4))), g.scalar(4));
        String padW = g.op("Mod", g.op("Sub", g.scalar(4), g.op("Mod", dim(g, x, 3), g.scalar(4))), g.scalar(4));
        String torchPads = g.op(
                "Concat",
                List.of(attr("axis", 0)),
                g.ints(0),
                g.op("Unsqueeze", padW, g.ints(0)),
                g.ints(0),
                g.op("Unsqueeze", padH, g.ints(0)));
        String missing =
                g.op("Sub", g.scalar(8), g.op("Gather", List.of(attr("axis", 0)), g.op("Shape", torchPads), g.ints(0)));
        String zeros = g.op("ConstantOfShape", List.of(tensor("value", int64(new long[] {1}, 0))), missing);
        String pairs = g.op("Reshape", g.op("Concat", List.of(attr("axis", 0)), torchPads, zeros), g.ints(-1, 2));
        String reversed = g.op("Slice", pairs, g.ints(-1), g.ints(-Long.MAX_VALUE), g.ints(0), g.ints(-1));
        String pads = g.op("Reshape", g.op("Transpose", List.of(attrs("perm", 1, 0)), reversed), g.ints(-1));
        String out = g.op("Pad", x, g.op("Cast", List.of(attr("to", 7)), pads));
        g.output(out);

        GraphCost.Result odd = g.count(Map.of("lq", new long[] {1, 3, 50, 66}));
        assertArrayEquals(new long[] {1, 3, 52, 68}, odd.outputShapes().get(out));
        assertEquals(0, odd.cost().totalFlops(), "shape arithmetic and padding do no arithmetic on the frame");
        assertArrayEquals(
                new long[] {1, 3, 48, 64},
                g.count(Map.of("lq", new long[] {1, 3, 48, 64})).outputShapes().get(out));
    }

    @Test
    void rangeAndExpandFoldIntoTheShapesTheyFeed() {
        TinyGraph g = new TinyGraph("range");
        String x = g.input("x");
        String tileStarts = g.op("Range", g.scalar(0), dim(g, x, 3), g.scalar(16)); // 0, 16, 32 below W
        String heights = g.op("Expand", g.op("Unsqueeze", dim(g, x, 2), g.ints(0)), g.ints(2)); // [H, H]
        String out =
                g.op("ConstantOfShape", g.op("Concat", List.of(attr("axis", 0)), g.op("Shape", tileStarts), heights));
        g.output(out);

        assertArrayEquals(
                new long[] {3, 5, 5},
                g.count(Map.of("x", new long[] {1, 1, 5, 40})).outputShapes().get(out));
    }

    @Test
    void comparisonsNotAndWhereFoldOnConstantsAndCountOneFlopPerElementOnActivations() {
        TinyGraph g = new TinyGraph("where");
        String x = g.input("x");
        String shape = g.op("Shape", x);
        String least = g.ints(1, 1, 8, 8);
        String tooSmall = g.op("Not", g.op("GreaterOrEqual", shape, least));
        String grown = g.op("ConstantOfShape", g.op("Where", tooSmall, least, shape));
        // ReLU as torch writes torch.where(x > 0, x, 0): a comparison and a select per element.
        String zero = g.real(0f);
        String relu = g.op("Where", g.op("Greater", x, zero), x, zero);
        g.output(grown).output(relu);

        GraphCost.Result r = g.count(Map.of("x", new long[] {1, 3, 4, 12}));
        assertArrayEquals(new long[] {1, 3, 8, 12}, r.outputShapes().get(grown));
        assertArrayEquals(new long[] {1, 3, 4, 12}, r.outputShapes().get(relu));
        assertEquals(2 * 3 * 4 * 12, r.cost().otherFlops());
    }

    @Test
    void ifSizesTheBranchItsFoldedConditionTakesAndTheBranchReadsTheOuterScope() {
        // torch's x.squeeze(0) when the exporter cannot tell whether dimension 0 is 1.
        TinyGraph then = new TinyGraph("then");
        then.output(then.op("Sigmoid", then.op("Squeeze", "x", then.ints(0))));
        TinyGraph otherwise = new TinyGraph("else");
        otherwise.output(otherwise.op("Identity", "x"));
        TinyGraph g = new TinyGraph("main");
        String x = g.input("x");
        String single = g.op("Equal", dim(g, x, 0), g.scalar(1));
        String out = g.op(
                "If", List.of(branch("then_branch", then.graph()), branch("else_branch", otherwise.graph())), single);
        g.output(out);

        GraphCost.Result one = g.count(Map.of("x", new long[] {1, 4, 6}));
        assertArrayEquals(new long[] {4, 6}, one.outputShapes().get(out));
        assertEquals(4 * 6, one.cost().otherFlops(), "the Sigmoid of the branch taken");
        GraphCost.Result two = g.count(Map.of("x", new long[] {2, 4, 6}));
        assertArrayEquals(new long[] {2, 4, 6}, two.outputShapes().get(out));
        assertEquals(0, two.cost().otherFlops());
    }

    @Test
    void ifWhoseConditionDependsOnTheInputValuesFailsNamingTheNode() {
        TinyGraph branch = new TinyGraph("branch");
        branch.output(branch.op("Identity", "x"));
        TinyGraph g = new TinyGraph("main");
        String x = g.input("x");
        String positive = g.op("Greater", g.op("ReduceMean", List.of(attr("keepdims", 0)), x), g.real(0f));
        g.output(g.op(
                "If", List.of(branch("then_branch", branch.graph()), branch("else_branch", branch.graph())), positive));

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> g.count(Map.of("x", new long[] {1, 4})));
        assertTrue(
                e.getMessage().contains("main/If_")
                        && e.getMessage().contains("(If)")
                        && e.getMessage().contains("not a constant"),
                e.getMessage());
    }

    @Test
    void layerNormalizationCountsOneFlopPerElementAndItsScaleAndBiasAsParameters() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("ln");
        Value x = b.input("tokens", ElemType.FLOAT, "N", "L", 16);
        Value norm = b.layerNorm(x, b.param("norm.weight", new float[16], 16), b.param("norm.bias", new float[16], 16));
        Value proj = b.matmul(norm, b.param("proj.weight", new float[16 * 32], 16, 32));
        b.output(proj, "out", ElemType.FLOAT, "N", "L", 32);

        StageCost c = GraphCost.of(b.build("layer norm"), Map.of("tokens", new long[] {2, 10, 16}))
                .cost();
        assertEquals(16 + 16 + 16 * 32, c.parameters());
        assertEquals(2 * 10 * 16, c.otherFlops());
        assertEquals(2L * 2 * 10 * 32 * 16, c.linearFlops());
        assertEquals(0, c.attentionFlops());
    }

    @Test
    void workOnWeightsAndShapesAloneCostsNothingAndAWeightTransposedInTheGraphIsStillAWeight() {
        TinyGraph g = new TinyGraph("weights");
        String x = g.input("x");
        String w = g.param("proj.weight", 8, 4); // [out, in], as nn.Linear stores it
        String y = g.op("MatMul", x, g.op("Transpose", List.of(attrs("perm", 1, 0)), w));
        String doubled = g.op("MatMul", x, g.op("Transpose", List.of(attrs("perm", 1, 0)), g.op("Mul", w, g.real(2))));
        // A mask built from the sequence length, as the shifted-window attention builds one from H and W.
        String positions = g.op("Cast", List.of(attr("to", 1)), g.op("Range", g.scalar(0), dim(g, x, 1), g.scalar(1)));
        String mask = g.op("Unsqueeze", g.op("Mul", positions, g.real(-100f)), g.ints(1));
        String out = g.op("Add", g.op("Add", y, doubled), mask);
        g.output(out);

        StageCost c = g.count(Map.of("x", new long[] {1, 5, 4})).cost();
        assertEquals(2 * (2 * 5 * 8 * 4), c.linearFlops());
        assertEquals(0, c.attentionFlops());
        assertEquals(2 * 5 * 8, c.otherFlops(), "the two Adds on activations, nothing for the weights or the mask");
    }

    @Test
    void parametersThatTheExporterStoredOnceCountOncePerUse() {
        // torch.onnx.export keeps one of several parameters of equal value and feeds the others
        // through Identity nodes (zero-initialised convs, untouched norms of a briefly trained model).
        TinyGraph g = new TinyGraph("shared");
        String x = g.input("x");
        String w = g.param("block.weight", 4, 4);
        String out = g.op("MatMul", g.op("MatMul", g.op("MatMul", x, w), g.op("Identity", w)), g.op("Identity", w));
        g.output(out);

        StageCost c = g.count(Map.of("x", new long[] {1, 4})).cost();
        assertEquals(3 * 16, c.parameters());
        assertEquals(Map.of("block", 48L), c.parametersByComponent());
        assertEquals(3 * 2 * 4 * 4, c.linearFlops());
    }

    @Test
    void splitAndSqueezeSizeEveryFrameOfAWindow() {
        // The STAM's x.unbind(0) over the T frames of a window.
        TinyGraph g = new TinyGraph("split");
        String x = g.input("x");
        List<String> frames = g.ops("Split", 3, List.of(attr("axis", 0)), x, g.ints(1, 1, 1));
        List<String> halves = g.ops("Split", 2, List.of(attr("axis", 1)), x);
        String last = g.op("Squeeze", frames.get(2), g.ints(0));
        g.output(last).output(halves.get(1));

        GraphCost.Result r = g.count(Map.of("x", new long[] {3, 8, 5, 7}));
        assertArrayEquals(new long[] {8, 5, 7}, r.outputShapes().get(last));
        assertArrayEquals(new long[] {3, 4, 5, 7}, r.outputShapes().get(halves.get(1)));
    }

    @Test
    void reductionsCountOneFlopPerInputElement() {
        TinyGraph g = new TinyGraph("reduce");
        String x = g.input("x");
        String mean = g.op("ReduceMean", List.of(attrs("axes", 1)), x);
        String norm = g.op("ReduceL2", List.of(attrs("axes", -1), attr("keepdims", 0)), x);
        g.output(mean).output(norm);

        GraphCost.Result r = g.count(Map.of("x", new long[] {2, 3, 4, 5}));
        assertArrayEquals(new long[] {2, 1, 4, 5}, r.outputShapes().get(mean));
        assertArrayEquals(new long[] {2, 3, 4}, r.outputShapes().get(norm));
        assertEquals(2 * 120, r.cost().otherFlops());
    }

    @Test
    void anUnsupportedOpFailsNamingTheNodeTheOpAndTheFix() {
        TinyGraph g = new TinyGraph("unsupported");
        g.output(g.op("NonZero", g.input("x")));

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> g.count(Map.of("x", new long[] {4})));
        assertTrue(
                e.getMessage().contains("unsupported/NonZero_")
                        && e.getMessage().contains("extend GraphCost"),
                e.getMessage());
    }
}
