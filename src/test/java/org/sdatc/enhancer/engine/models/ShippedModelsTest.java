package org.sdatc.enhancer.engine.models;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.cost.ModelInfo;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.onnx.ParityCheck;
import org.sdatc.enhancer.engine.onnx.StageSession;
import org.sdatc.enhancer.engine.reference.TestModels;

/**
 * The models in the repository's models/ folder load under the contract, are what PyTorch trained
 * (parity fixtures within their tolerance, 1e-4 in fp32), and come out of the jar's copy intact.
 */
class ShippedModelsTest {
    @TempDir
    Path tmp;

    private static Path repoModel(String name) {
        return Path.of("models", name);
    }

    @Test
    void everyShippedModelMatchesItsPyTorchModuleInOnnxRuntime() {
        for (String name : BuiltinModels.SHIPPED) {
            Path dir = repoModel(name);
            assertTrue(ParityCheck.hasFixtures(dir), name + " has parity fixtures");
            try (OnnxSessions sessions = OnnxSessions.open(ModelDirectory.load(dir), ExecutionConfig.cpu(0))) {
                List<ParityCheck.Result> results = ParityCheck.run(sessions, dir);
                assertFalse(results.isEmpty());
                for (ParityCheck.Result r : results) {
                    assertTrue(
                            r.passed(),
                            name + " " + r.fixture() + "." + r.output() + ": max abs error " + r.maxAbsError() + " > "
                                    + r.tolerance());
                }
            }
        }
    }

    @Test
    void theDefaultAndLiteModelsDeclareTheirDcmTrainedAndHaveNoDiffusionStages() {
        for (String name : List.of(BuiltinModels.DEFAULT, BuiltinModels.LITE)) {
            ModelDirectory dir = ModelDirectory.load(repoModel(name));
            assertAll(
                    name,
                    () -> assertEquals(2, dir.manifest().contract()),
                    () -> assertTrue(dir.manifest().trained(ModelStage.DCM)),
                    () -> assertFalse(dir.manifest().hasDiffusion()),
                    () -> assertTrue(Files.isRegularFile(repoModel(name).resolve("MODEL_CARD.md"))));
        }
    }

    @Test
    void modelInfoCountsEveryShippedModelsCostAndTheLiteModelIsTheCheaperOne() {
        double cpu = ModelInfo.of(repoModel(BuiltinModels.DEFAULT), 480, 270, 1).flopsPerFrame();
        double lite = ModelInfo.of(repoModel(BuiltinModels.LITE), 480, 270, 1).flopsPerFrame();
        assertTrue(cpu > 50e9 && cpu < 200e9, "sdatc-dcm-cpu: " + cpu / 1e9 + " GFLOP per 480x270 frame");
        assertTrue(lite > 1e9 && lite < cpu / 10, "sdatc-dcm-lite: " + lite / 1e9 + " GFLOP per 480x270 frame");
    }

    @Test
    void aFixtureThatDisagreesWithTheGraphIsReportedWithItsError() throws IOException {
        Path dir = tmp.resolve("model");
        TestModels.copyTree(repoModel(BuiltinModels.DEFAULT), dir);
        Path out = dir.resolve("parity").resolve("dcm.out.restored.bin");
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(0, b.getFloat(0) + 0.01f);
        Files.write(out, b.array());
        try (OnnxSessions sessions = OnnxSessions.open(ModelDirectory.load(dir), ExecutionConfig.cpu(0))) {
            ParityCheck.Result r = ParityCheck.run(sessions, dir).get(0);
            assertFalse(r.passed());
            assertTrue(r.maxAbsError() > 0.009, "error " + r.maxAbsError());
        }
    }

    @Test
    void theBuiltinCopyInTheCacheIsByteIdenticalToTheRepository() throws IOException {
        Path cached = BuiltinModels.ensure(BuiltinModels.DEFAULT, tmp.resolve("cache"));
        for (String f : List.of("manifest.json", "dcm.onnx")) {
            assertEquals(
                    -1L,
                    Files.mismatch(
                            cached.resolve(f), repoModel(BuiltinModels.DEFAULT).resolve(f)),
                    f + " differs from the repository's");
        }
        assertEquals(cached, BuiltinModels.ensure(BuiltinModels.DEFAULT, tmp.resolve("cache")), "reused, not copied");
    }

    @Test
    void anUnknownBuiltinNameListsTheChoices() {
        var e = assertThrows(IllegalArgumentException.class, () -> BuiltinModels.ensure("sdatc-xl", tmp));
        assertTrue(e.getMessage().contains(BuiltinModels.DEFAULT), e.getMessage());
    }

    @Test
    void theShippedDcmsRunWithoutTheirFinalPixelShuffleAndGiveTheSameFrames() {
        for (String name : BuiltinModels.SHIPPED) {
            Path dir = repoModel(name);
            try (OnnxSessions sessions = OnnxSessions.open(ModelDirectory.load(dir), ExecutionConfig.cpu(0))) {
                StageSession dcm = sessions.stage(ModelStage.DCM);
                StageSession.Inputs in = StageSession.inputs().put("lq", TestModels.uniform(5, 0, 1, 2, 3, 20, 28));
                var phases = dcm.runPhases(in);
                assertTrue(phases != null, name + ": the DCM graph ends in DepthToSpace(4, CRD) and is cut there");
                assertEquals(4, phases.factor());
                assertArrayEquals(new int[] {2, 48, 20, 28}, phases.phases().shape());
                var restored = dcm.run(in).get("restored");
                assertArrayEquals(new int[] {2, 3, 80, 112}, restored.shape());
                assertArrayEquals(
                        org.sdatc.enhancer.tensor.Tensors.pixelShuffle(phases.phases(), 4)
                                .data(),
                        restored.data(),
                        0f);
            }
        }
    }
}
