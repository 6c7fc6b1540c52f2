package org.sdatc.enhancer.engine.sdatc;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.WindowId;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.engine.budget.Ladder;
import org.sdatc.enhancer.engine.budget.Rung;
import org.sdatc.enhancer.engine.models.BuiltinModels;
import org.sdatc.enhancer.engine.onnx.ModelContractException;
import org.sdatc.enhancer.engine.reference.TestModels;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Bicubic;
import org.sdatc.enhancer.tensor.Image;

/** Which tiers a model offers, which one is the default, and what each tier returns. */
class TieredEnhancerTest {
    private static final Path SHIPPED = Path.of("models", BuiltinModels.DEFAULT);
    private static final Path LITE = Path.of("models", BuiltinModels.LITE);
    private static final SdatcOptions OPTIONS = SdatcOptions.defaults().withSteps(2);

    private static WindowInput window(List<Image> frames) {
        return new WindowInput(new WindowId("cam", 0, 0), frames, 1, 3, null, CompressionHints.NONE);
    }

    @Test
    void theShippedModelDefaultsToItsTrainedDcmTierAndOffersNoUntrainedDiffusion() {
        try (TieredEnhancer e = TieredEnhancer.open(SHIPPED, null, OPTIONS, null)) {
            assertAll(
                    () -> assertEquals(Tier.DCM, e.defaultTier()),
                    () -> assertEquals(Set.of(Tier.DCM, Tier.BICUBIC), e.available()),
                    () -> assertTrue(e.trained(Tier.DCM)),
                    () -> assertEquals(Tier.DCM, e.info().tier()),
                    () -> assertEquals(0, e.info().steps()),
                    () -> assertTrue(
                            e.info().model().startsWith("sdatc/sdatc-dcm-cpu@"),
                            e.info().model()));
        }
    }

    @Test
    void theDcmTierReturnsEachEmittedFrameAtFourTimesItsSizeAndNotBicubic() {
        List<Image> frames = SyntheticClip.generate(40, 24, 5, 3);
        try (TieredEnhancer e = TieredEnhancer.open(SHIPPED, null, OPTIONS, null)) {
            WindowOutput out = e.at(Tier.DCM).enhance(window(frames));
            assertEquals(3, out.frames().size());
            assertNull(out.carry(), "the dcm tier keeps no temporal state");
            double diff = 0;
            for (int i = 0; i < 3; i++) {
                Image got = out.frames().get(i);
                assertEquals(160, got.width());
                assertEquals(96, got.height());
                Image bicubic = Bicubic.upscale(frames.get(1 + i), 4);
                diff += meanAbsDifference(got, bicubic) / 3;
            }
            assertTrue(diff > 0.5, "the trained DCM changes the frames (mean |dcm - bicubic| = " + diff + " levels)");
        }
    }

    @Test
    void theBicubicTierOfAModelIsThePlainBaseline() {
        List<Image> frames = SyntheticClip.generate(32, 16, 5, 4);
        try (TieredEnhancer e = TieredEnhancer.open(SHIPPED, null, OPTIONS, Tier.BICUBIC)) {
            WindowOutput out = e.enhance(window(frames));
            assertEquals(Tier.BICUBIC, e.info().tier());
            assertEquals(0.0, meanAbsDifference(out.frames().get(0), Bicubic.upscale(frames.get(1), 4)));
        }
    }

    @Test
    void theShippedModelsLatencyLadderIsDcmThenBicubic() {
        try (TieredEnhancer e = TieredEnhancer.open(SHIPPED, null, OPTIONS, null)) {
            Ladder ladder = e.ladder();
            assertEquals(List.of(Rung.of(Tier.DCM), Rung.of(Tier.BICUBIC)), ladder.rungs());
            assertEquals(Tier.BICUBIC, ladder.at(Rung.of(Tier.BICUBIC)).info().tier());
        }
    }

    @Test
    void withTheLiteModelTheLadderIsDcmThenLiteThenBicubicAndLiteRunsTheSmallerNetwork() {
        List<Image> frames = SyntheticClip.generate(40, 24, 5, 3);
        try (TieredEnhancer e = TieredEnhancer.open(SHIPPED, LITE, OPTIONS, null)) {
            assertEquals(Tier.DCM, e.defaultTier(), "the bigger trained network stays the default");
            assertTrue(e.trained(Tier.LITE));
            assertEquals(
                    List.of(Rung.of(Tier.DCM), Rung.of(Tier.LITE), Rung.of(Tier.BICUBIC)),
                    e.ladder().rungs());
            var lite = e.at(Tier.LITE);
            assertEquals(Tier.LITE, lite.info().tier());
            assertTrue(
                    lite.info().model().startsWith("sdatc/sdatc-dcm-lite@"),
                    lite.info().model());
            Image dcm = e.at(Tier.DCM).enhance(window(frames)).frames().get(0);
            Image fast = lite.enhance(window(frames)).frames().get(0);
            Image bicubic = Bicubic.upscale(frames.get(1), 4);
            assertEquals(160, fast.width());
            assertTrue(meanAbsDifference(fast, bicubic) > 0.2, "the trained lite DCM changes the frames");
            assertTrue(meanAbsDifference(fast, dcm) > 0.2, "lite is another network than dcm");
        }
    }

    @Test
    void theLiteModelAsTheMainModelIsItsOwnDcmTierNotASecondRung() {
        try (TieredEnhancer e = TieredEnhancer.open(LITE, LITE, OPTIONS, null)) {
            assertEquals(Set.of(Tier.DCM, Tier.BICUBIC), e.available());
        }
    }

    @Test
    void askingForTheLiteTierWithoutALiteModelNamesTheSetting() {
        var ex = assertThrows(
                ModelContractException.class, () -> TieredEnhancer.open(SHIPPED, null, OPTIONS, Tier.LITE));
        assertTrue(ex.getMessage().contains("sdatc.model.lite"), ex.getMessage());
    }

    @Test
    void aFullTierLadderRunsFewerStepsBeforeItLeavesDiffusionAndSkipsTheUntrainedDcm() {
        try (TieredEnhancer e = TieredEnhancer.open(
                TestModels.tiny(), null, SdatcOptions.defaults().withSteps(4), Tier.FULL)) {
            Ladder ladder = e.ladder();
            assertEquals(
                    List.of(
                            new Rung(Tier.FULL, 4),
                            new Rung(Tier.FULL, 2),
                            new Rung(Tier.FULL, 1),
                            Rung.of(Tier.BICUBIC)),
                    ladder.rungs());
            assertEquals(2, ladder.at(new Rung(Tier.FULL, 2)).info().steps(), "the enhancer really runs 2 steps");
        }
    }

    @Test
    void askingForDiffusionFromADcmOnlyModelFailsAtStartNamingTheTier() {
        var ex = assertThrows(
                ModelContractException.class, () -> TieredEnhancer.open(SHIPPED, null, OPTIONS, Tier.FULL));
        assertTrue(ex.getMessage().contains("cannot run tier full"), ex.getMessage());
        assertTrue(ex.getMessage().contains("sdatc.engine.tier"), ex.getMessage());
    }

    @Test
    void anUntrainedModelIsNeverTheDefaultButItsFullTierRunsWhenAskedFor() {
        try (TieredEnhancer auto = TieredEnhancer.open(TestModels.tiny(), null, OPTIONS, null)) {
            assertEquals(Tier.BICUBIC, auto.defaultTier(), "reference-tiny declares no trained stage");
            assertFalse(auto.trained(Tier.FULL));
            assertFalse(auto.trained(Tier.DCM));
        }
        try (TieredEnhancer full = TieredEnhancer.open(TestModels.tiny(), null, OPTIONS, Tier.FULL)) {
            assertEquals(Tier.FULL, full.info().tier());
            assertEquals(2, full.info().steps());
        }
    }

    private static double meanAbsDifference(Image a, Image b) {
        byte[] x = a.rgb();
        byte[] y = b.rgb();
        long sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs((x[i] & 0xff) - (y[i] & 0xff));
        }
        return (double) sum / x.length;
    }
}
