package org.sdatc.enhancer.engine.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sdatc.enhancer.engine.reference.OnnxGraphBuilder.ElemType.FLOAT;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.cost.GraphCost;
import org.sdatc.enhancer.engine.cost.StageCost;

/** The counted cost of single paper layers equals a count by hand. */
class PaperCostTest {
    private static StageCost count(OnnxGraphBuilder b, Value out, Map<String, long[]> inputs) {
        b.output(out, "y", FLOAT, "N", out.dim(1), "A", "B");
        return GraphCost.of(b.buildGraphOnly("test"), inputs).cost();
    }

    @Test
    void aThreeByThreeConvolutionCostsTwoFlopsPerWeightTapPerOutputPixel() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("conv");
        PaperBlocks k = new PaperBlocks(b, new Weights(1, Set.of()));
        Value x = b.input("x", FLOAT, "N", 64, "H", "W");
        StageCost c = count(b, k.conv("t.conv", x, 128, 3, 1), Map.of("x", new long[] {1, 64, 32, 48}));
        assertEquals(2L * 32 * 48 * 128 * 64 * 9, c.linearFlops());
        assertEquals(0, c.attentionFlops());
        assertEquals(128 * 64 * 9 + 128, c.parameters());
    }

    @Test
    void selfAttentionCostsFourProjectionsPlusTwoTokenByTokenProducts() {
        int l = 100;
        int ch = 128;
        OnnxGraphBuilder b = new OnnxGraphBuilder("attn");
        PaperBlocks k = new PaperBlocks(b, new Weights(1, Set.of()));
        Value x = b.input("x", FLOAT, "N", l, ch);
        Value y = k.attention("t.attn", x, null, 64);
        b.output(y, "y", FLOAT, "N", l, ch);
        StageCost c = GraphCost.of(b.buildGraphOnly("test"), Map.of("x", new long[] {1, l, ch}))
                .cost();
        // q, k, v, out: L x C x C each; Q K^T and A V: L x L x C each (over all heads together).
        assertEquals(4L * 2 * l * ch * ch, c.linearFlops());
        assertEquals(2L * 2 * l * l * ch, c.attentionFlops());
        // Weights, the output bias, and the 1/sqrt(d) scale constant (a float initializer too).
        assertEquals(4L * ch * ch + ch + 1, c.parameters());
    }

    @Test
    void theDcmPixelShuffleUpsamplerCostsItsThreeConvolutionsAtOneTwoAndFourTimesTheInputSize() {
        int h = 10;
        int w = 12;
        OnnxGraphBuilder b = new OnnxGraphBuilder("up");
        PaperBlocks k = new PaperBlocks(b, new Weights(1, Set.of()));
        Value x = b.input("x", FLOAT, "N", 64, "H", "W");
        StageCost c = count(b, k.pixelShuffleUpsampler("t.up", x), Map.of("x", new long[] {1, 64, h, w}));
        long hw = (long) h * w;
        long expected = 2 * hw * 256 * 64 * 9 + 2 * (4 * hw) * 256 * 64 * 9 + 2 * (16 * hw) * 3 * 64 * 9;
        assertEquals(expected, c.linearFlops());
        assertEquals(2 * (256 * 64 * 9 + 256) + 3 * 64 * 9 + 3, c.parameters());
    }
}
