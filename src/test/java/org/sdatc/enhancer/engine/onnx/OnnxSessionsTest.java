package org.sdatc.enhancer.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.reference.OnnxGraphBuilder;
import org.sdatc.enhancer.engine.reference.OnnxGraphBuilder.ElemType;
import org.sdatc.enhancer.engine.reference.TestModels;
import org.sdatc.enhancer.engine.reference.Value;
import org.sdatc.enhancer.tensor.Tensor;

class OnnxSessionsTest {
    private static boolean cudaAvailable() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    @Test
    void autoFallsBackToTheCpuWhenCudaCannotLoad() {
        assumeFalse(cudaAvailable(), "this machine has CUDA");
        try (OnnxSessions s = OnnxSessions.open(ModelDirectory.load(TestModels.tiny()), ExecutionConfig.defaults())) {
            assertEquals(OnnxSessions.ActiveProvider.CPU, s.provider());
            Tensor out = s.stage(ModelStage.DCM)
                    .run(StageSession.inputs().put("lq", TestModels.uniform(1, 0, 1, 1, 3, 8, 8)))
                    .get("restored");
            assertArrayEquals(new int[] {1, 3, 32, 32}, out.shape());
        }
    }

    @Test
    void explicitCudaFailsLoudlyWithTheFixWhenUnavailable() {
        assumeFalse(cudaAvailable(), "this machine has CUDA");
        ModelDirectory model = ModelDirectory.load(TestModels.tiny());
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> OnnxSessions.open(model, ExecutionConfig.defaults().withProvider(ExecutionConfig.Provider.CUDA)));
        assertTrue(
                e.getMessage().contains("engine.provider=CUDA")
                        && e.getMessage().contains("-Pgpu"),
                e.getMessage());
    }

    @Test
    void oneSessionServesConcurrentCallersWithIdenticalResults() throws Exception {
        try (OnnxSessions s = OnnxSessions.open(ModelDirectory.load(TestModels.tiny()), ExecutionConfig.cpu(1));
                ExecutorService pool = Executors.newFixedThreadPool(4)) {
            StageSession dcm = s.stage(ModelStage.DCM);
            Tensor lq = TestModels.uniform(9, 0, 1, 1, 3, 16, 24);
            Tensor expected = dcm.run(StageSession.inputs().put("lq", lq)).get("restored");
            List<Future<Tensor>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runs.add(pool.submit(
                        () -> dcm.run(StageSession.inputs().put("lq", lq)).get("restored")));
            }
            for (Future<Tensor> f : runs) {
                assertArrayEquals(expected.data(), f.get().data());
            }
        }
    }

    @Test
    void float16GraphsTakeAndReturnFloatTensors(@TempDir Path tmp) throws IOException, OrtException {
        OnnxGraphBuilder b = new OnnxGraphBuilder("half");
        Value x = b.input("lq", ElemType.FLOAT16, "N", 3, "H", "W");
        Value doubled = b.add(x, x);
        b.output(doubled, "restored", ElemType.FLOAT16, "N", 3, "H", "W");
        Path file = tmp.resolve("half.onnx");
        OnnxGraphBuilder.save(b.build("fp16"), file, Long.MAX_VALUE);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (StageSession s = new StageSession(ModelStage.DCM, file, env, env.createSession(file.toString()))) {
            Tensor in = new Tensor(new float[] {0.1f, 0.25f, 0.5f, 1f, 1.5f, 3f}, 1, 3, 1, 2);
            Tensor out = s.run(StageSession.inputs().put("lq", in)).get("restored");
            for (int i = 0; i < in.size(); i++) {
                assertEquals(2 * in.data()[i], out.data()[i], 2e-3 * in.data()[i], "value " + i);
            }
        }
    }

    @Test
    void missingInputIsReportedByName() {
        try (OnnxSessions s = OnnxSessions.open(ModelDirectory.load(TestModels.tiny()), ExecutionConfig.cpu(1))) {
            var e = assertThrows(
                    org.sdatc.enhancer.engine.EnhancerException.class,
                    () -> s.stage(ModelStage.UNET)
                            .run(StageSession.inputs().put("sample", Tensor.zeros(1, 192, 4, 4))));
            assertTrue(e.getMessage().contains("unet") && e.getMessage().contains("\"timestep\""), e.getMessage());
        }
    }
}
