package org.sdatc.enhancer.engine.onnx;

import static org.sdatc.enhancer.engine.onnx.TensorSpec.ANY;
import static org.sdatc.enhancer.engine.onnx.TensorSpec.DYNAMIC;

import java.util.List;
import org.sdatc.enhancer.engine.onnx.TensorSpec.Element;

/**
 * The ONNX graphs an SDATC model directory holds, with the inputs and outputs the engine relies on
 * (docs/model-contract.md). Image tensors are NCHW; a stage run on a window puts the window's
 * frames on the batch axis.
 */
public enum ModelStage {
    /** Eq. 5: x_HR = Up(RSTB(Conv3x3(x_LQ))); lq in [0, 1] to restored x4 in [0, 1]. */
    DCM("dcm"),
    /** Image in [-1, 1] to latent (unscaled) and the encoder features CFW (Eq. 12) reads. */
    VAE_ENCODER("vae_encoder"),
    /** Eq. 6-8: UNet with the ControlNet copy of its encoder and PCAM; one denoising prediction. */
    UNET("unet"),
    /** Latent window [T, C, h, w] to images in [-1, 1] with PCAM, STAM (Eq. 9-11) and CFW (Eq. 12). */
    VAE_DECODER("vae_decoder"),
    /** Optional learned optical flow from frame0 to frame1, in pixels. */
    FLOW("flow");

    private final String key;

    ModelStage(String key) {
        this.key = key;
    }

    /** The key under "stages" in manifest.json. */
    public String key() {
        return key;
    }

    public List<TensorSpec> inputs(int latentChannels) {
        int c = latentChannels;
        return switch (this) {
            case DCM -> List.of(image("lq", 3));
            case VAE_ENCODER -> List.of(image("image", 3));
            case UNET ->
                List.of(
                        image("sample", c),
                        new TensorSpec("timestep", Element.INT64, new int[] {DYNAMIC}),
                        image("condition", c));
            case VAE_DECODER ->
                List.of(
                        image("latent", c),
                        image("enc_features", ANY),
                        new TensorSpec("cfw_weight", Element.DATA, new int[] {1}));
            case FLOW -> List.of(image("frame0", 3), image("frame1", 3));
        };
    }

    public List<TensorSpec> outputs(int latentChannels) {
        return switch (this) {
            case DCM -> List.of(image("restored", 3));
            case VAE_ENCODER -> List.of(image("latent", latentChannels), image("enc_features", ANY));
            case UNET -> List.of(image("model_output", latentChannels));
            case VAE_DECODER -> List.of(image("image", 3));
            case FLOW -> List.of(image("flow", 2));
        };
    }

    private static TensorSpec image(String name, int channels) {
        return new TensorSpec(name, Element.DATA, new int[] {DYNAMIC, channels, DYNAMIC, DYNAMIC});
    }

    public static ModelStage fromKey(String key) {
        for (ModelStage s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }
}
