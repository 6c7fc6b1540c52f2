package org.sdatc.enhancer.engine;

/** The pipeline's stages, as named in metrics ({@code stage} tag) and output segments. */
public enum Stage {
    DECODE("decode"),
    UPSCALE("upscale"),
    DCM("dcm"),
    VAE_ENCODE("vae_encode"),
    DENOISE_STEP("denoise_step"),
    SAMPLER("sampler"),
    FLOW("flow"),
    VAE_DECODE("vae_decode"),
    COLOR_FIX("color_fix"),
    ENCODE("encode"),
    PRODUCE("produce");

    private final String tag;

    Stage(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
