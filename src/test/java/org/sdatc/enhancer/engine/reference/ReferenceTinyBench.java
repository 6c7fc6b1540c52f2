package org.sdatc.enhancer.engine.reference;

import java.util.Map;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.onnx.StageSession;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * Per-stage CPU time of reference-tiny for one 480x270 frame to 1920x1080 (frames padded to the
 * model's multiple, as the engine does). Not a test: run with
 *
 * <pre>
 * java -cp target/test-classes:target/classes:... ReferenceTinyBench [threads] [reps]
 * (full command in docs/model-contract.md, "Measured cost")
 * </pre>
 */
public final class ReferenceTinyBench {
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (OnnxSessions s = OnnxSessions.open(ModelDirectory.load(TestModels.tiny()), ExecutionConfig.cpu(threads))) {
            var m = s.manifest();
            int mult = m.imageMultiple();
            int hh = (1080 + mult - 1) / mult * mult;
            int ww = (1920 + mult - 1) / mult * mult;
            int c = m.latentChannels();
            int f = m.latentDownsample();
            Tensor lq = TestModels.uniform(1, 0, 1, 1, 3, 270, 480);
            Tensor hr = TestModels.uniform(2, -1, 1, 1, 3, hh, ww);
            Tensor window = TestModels.uniform(3, -1, 1, 5, 3, hh, ww);
            Map<String, Tensor> enc5 =
                    s.stage(ModelStage.VAE_ENCODER).run(StageSession.inputs().put("image", window));
            Tensor z = TestModels.uniform(4, -1, 1, 1, c, hh / f, ww / f);
            time(
                    "dcm 480x270 -> 1920x1080",
                    reps,
                    () -> s.stage(ModelStage.DCM).run(StageSession.inputs().put("lq", lq)));
            time(
                    "vae_encoder 1 frame " + ww + "x" + hh,
                    reps,
                    () -> s.stage(ModelStage.VAE_ENCODER)
                            .run(StageSession.inputs().put("image", hr)));
            time(
                    "unet 1 step, 1 frame",
                    reps,
                    () -> s.stage(ModelStage.UNET)
                            .run(StageSession.inputs()
                                    .put("sample", z)
                                    .putInt64("timestep", 500)
                                    .put("condition", z)));
            time(
                    "vae_decoder T=5",
                    reps,
                    () -> s.stage(ModelStage.VAE_DECODER)
                            .run(StageSession.inputs()
                                    .put("latent", enc5.get("latent"))
                                    .put("enc_features", enc5.get("enc_features"))
                                    .put("cfw_weight", new Tensor(new float[] {0.75f}, 1))));
        }
    }

    private static void time(String label, int reps, Runnable work) {
        System.out.println("running " + label);
        work.run(); // warm-up: first run allocates arenas and picks kernels
        long best = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            work.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("%-36s %8.1f ms (best of %d)%n", label, best / 1e6, reps);
    }
}
