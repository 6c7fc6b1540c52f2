package org.sdatc.enhancer.engine.onnx;

import static org.sdatc.enhancer.engine.onnx.TensorSpec.ANY;
import static org.sdatc.enhancer.engine.onnx.TensorSpec.DYNAMIC;

import java.util.ArrayList;
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

    /** The inputs the engine feeds this stage of {@code model}: encoder feature names and the hint vary per model. */
    public List<TensorSpec> inputs(ModelManifest model) {
        int c = model.latentChannels();
        List<TensorSpec> in = new ArrayList<>();
        switch (this) {
            case DCM -> in.add(image("lq", 3));
            case VAE_ENCODER -> in.add(image("image", 3));
            case UNET -> {
                in.add(image("sample", c));
                in.add(new TensorSpec("timestep", Element.INT64, new int[] {DYNAMIC}));
                in.add(image("condition", c));
                hint(model, in);
            }
            case VAE_DECODER -> {
                in.add(image("latent", c));
                for (String f : model.encFeatures()) {
                    in.add(image(f, ANY));
                }
                in.add(new TensorSpec("cfw_weight", Element.DATA, new int[] {1}));
                hint(model, in);
            }
            case FLOW -> {
                in.add(image("frame0", 3));
                in.add(image("frame1", 3));
            }
        }
        return List.copyOf(in);
    }

    public List<TensorSpec> outputs(ModelManifest model) {
        List<TensorSpec> out = new ArrayList<>();
        switch (this) {
            case DCM -> out.add(image("restored", 3));
            case VAE_ENCODER -> {
                out.add(image("latent", model.latentChannels()));
                for (String f : model.encFeatures()) {
                    out.add(image(f, ANY));
                }
            }
            case UNET -> out.add(image("model_output", model.latentChannels()));
            case VAE_DECODER -> out.add(image("image", 3));
            case FLOW -> out.add(image("flow", 2));
        }
        return List.copyOf(out);
    }

    /** hint [N, 1]: crf / 51 (or qp / 51) of the segment, negative for unknown (contract 2, "hint_input"). */
    private static void hint(ModelManifest model, List<TensorSpec> in) {
        if (model.hintInput()) {
            in.add(new TensorSpec("hint", Element.DATA, new int[] {DYNAMIC, 1}));
        }
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
