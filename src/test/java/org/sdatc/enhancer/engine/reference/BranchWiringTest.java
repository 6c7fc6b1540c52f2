package org.sdatc.enhancer.engine.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sdatc.enhancer.engine.reference.TestModels.maxAbsDiff;
import static org.sdatc.enhancer.engine.reference.TestModels.uniform;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.tensor.Tensor;

/**
 * The zero-initialised branches of reference-tiny contribute nothing at init, but they are real
 * parts of the graph: giving one of them random weights must change what the stage returns.
 */
class BranchWiringTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final ReferenceProfile TINY = ReferenceProfile.tiny();
    private static final ModelManifest.Scheduler SCHEDULER = new ModelManifest.Scheduler(
            1000, ModelManifest.BetaSchedule.SCALED_LINEAR, 0.00085, 0.012, ModelManifest.PredictionType.EPSILON);

    private static Weights weights(String... perturbed) {
        return new Weights(TINY.seed(), Set.of(perturbed));
    }

    /** Runs a freshly built graph on a CPU session; inputs are Tensors or long[] timesteps. */
    private static Map<String, Tensor> run(OnnxGraphBuilder graph, Map<String, Object> inputs) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            try (OrtSession s = ENV.createSession(graph.build("test").toByteArray(), o)) {
                Map<String, OnnxTensor> feed = new HashMap<>();
                for (var e : inputs.entrySet()) {
                    if (e.getValue() instanceof long[] l) {
                        feed.put(e.getKey(), OnnxTensor.createTensor(ENV, LongBuffer.wrap(l), new long[] {l.length}));
                    } else {
                        Tensor t = (Tensor) e.getValue();
                        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
                        feed.put(e.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(t.data()), shape));
                    }
                }
                try (OrtSession.Result r = s.run(feed)) {
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    for (Map.Entry<String, OnnxValue> e : r) {
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        FloatBuffer fb = t.getFloatBuffer();
                        float[] d = new float[fb.remaining()];
                        fb.get(d);
                        out.put(
                                e.getKey(),
                                new Tensor(
                                        d,
                                        Arrays.stream(t.getInfo().getShape())
                                                .mapToInt(Math::toIntExact)
                                                .toArray()));
                    }
                    return out;
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    @Test
    void dcmSwinBlocksAndZeroConvChangeTheOutputOnceTrained() throws OrtException {
        Map<String, Object> in = Map.of("lq", uniform(1, 0.2f, 0.8f, 1, 3, 20, 24));
        Tensor init = run(ReferenceModels.dcm(TINY, weights()), in).get("restored");
        Tensor zeroConv =
                run(ReferenceModels.dcm(TINY, weights("dcm.up_zero")), in).get("restored");
        Tensor withSwin = run(ReferenceModels.dcm(TINY, weights("dcm.up_zero", "dcm.rstb0.swin")), in)
                .get("restored");
        assertTrue(maxAbsDiff(init, zeroConv) > 1e-2, "the DCM zero conv is not wired");
        assertTrue(maxAbsDiff(zeroConv, withSwin) > 1e-3, "the Swin blocks' residual branches are not wired");
    }

    private static Map<String, Object> decoderInputs(Tensor latentWindow, float w) throws OrtException {
        Tensor image = uniform(5, -1f, 1f, 5, 3, 32, 32);
        Map<String, Tensor> enc = run(ReferenceModels.vaeEncoder(TINY, weights()), Map.of("image", image));
        return Map.of(
                "latent",
                latentWindow == null ? enc.get("latent") : latentWindow,
                "enc_features",
                enc.get("enc_features"),
                "cfw_weight",
                new Tensor(new float[] {w}, 1));
    }

    @Test
    void everyDecoderBranchOfPcamStamAndCfwChangesTheImageOncePerturbed() throws OrtException {
        Map<String, Object> in = decoderInputs(null, 0.75f);
        Tensor init = run(ReferenceModels.vaeDecoder(TINY, weights()), in).get("image");
        for (String branch : List.of(
                "dec.pcam.out",
                "dec.conv9",
                "dec.res0.out",
                "dec.stam.conv3d",
                "dec.stam.ta.out",
                "dec.res1.out",
                "dec.cfw.zero")) {
            Tensor perturbed =
                    run(ReferenceModels.vaeDecoder(TINY, weights(branch)), in).get("image");
            assertTrue(maxAbsDiff(init, perturbed) > 1e-3, branch + " does not reach the decoder output");
        }
    }

    @Test
    void cfwWeightZeroSwitchesTheCfwBranchOff() throws OrtException {
        OnnxGraphBuilder trainedCfw = ReferenceModels.vaeDecoder(TINY, weights("dec.cfw.zero"));
        Map<String, Object> off = decoderInputs(null, 0f);
        Tensor identity = run(ReferenceModels.vaeDecoder(TINY, weights()), off).get("image");
        Tensor atZero = run(trainedCfw, off).get("image");
        Tensor atDefault = run(ReferenceModels.vaeDecoder(TINY, weights("dec.cfw.zero")), decoderInputs(null, 0.75f))
                .get("image");
        assertTrue(maxAbsDiff(identity, atZero) < 1e-5, "w = 0 must remove CFW's contribution");
        assertTrue(maxAbsDiff(identity, atDefault) > 1e-3, "w = 0.75 must apply CFW");
    }

    @Test
    void temporalAttentionMixesInformationAcrossTheWindowsFrames() throws OrtException {
        Map<String, Object> in = decoderInputs(null, 0.75f);
        Tensor latent = ((Tensor) in.get("latent")).copy();
        Tensor changed = latent.copy();
        int frame = changed.size() / 5;
        for (int i = 4 * frame; i < 5 * frame; i++) {
            changed.data()[i] += 1f;
        }
        Map<String, Object> in2 = new HashMap<>(in);
        in2.put("latent", changed);
        OnnxGraphBuilder ta = ReferenceModels.vaeDecoder(TINY, weights("dec.stam.ta.out"));
        Tensor a = run(ta, in).get("image");
        Tensor b = run(ta, in2).get("image");
        int plane = a.size() / 5;
        float firstFrameChange = 0;
        for (int i = 0; i < plane; i++) {
            firstFrameChange = Math.max(firstFrameChange, Math.abs(a.data()[i] - b.data()[i]));
        }
        assertTrue(firstFrameChange > 1e-4, "changing frame 5 must change frame 1 through temporal attention");
    }

    @Test
    void unetOutputConvAndControlNetZeroConvsAreWired() throws OrtException {
        int c = TINY.latentChannels();
        Map<String, Object> in = Map.of(
                "sample", uniform(1, -1f, 1f, 1, c, 8, 8),
                "timestep", new long[] {500},
                "condition", uniform(2, -1f, 1f, 1, c, 8, 8));
        Tensor init = run(ReferenceModels.unet(TINY, weights(), SCHEDULER), in).get("model_output");
        Tensor out = run(ReferenceModels.unet(TINY, weights("unet.conv_out"), SCHEDULER), in)
                .get("model_output");
        Tensor ctrl = run(ReferenceModels.unet(TINY, weights("unet.conv_out", "unet.ctrl."), SCHEDULER), in)
                .get("model_output");
        assertTrue(maxAbsDiff(init, out) > 1e-3, "the UNet's output conv is not wired");
        assertTrue(maxAbsDiff(out, ctrl) > 1e-4, "the ControlNet copy's zero convs are not wired");
    }
}
