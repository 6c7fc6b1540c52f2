package org.sdatc.enhancer.engine.sdatc;

import java.nio.file.Path;
import java.util.Objects;
import org.sdatc.enhancer.engine.color.AdaIn;
import org.sdatc.enhancer.engine.color.ColorCorrection;
import org.sdatc.enhancer.engine.color.WaveletColorFix;
import org.sdatc.enhancer.engine.flow.DisFlowSource;
import org.sdatc.enhancer.engine.flow.FlowGuidance;
import org.sdatc.enhancer.engine.onnx.ExecutionConfig;
import org.sdatc.enhancer.engine.reference.ReferenceModels;

/**
 * How the SDATC engine runs. Config keys in brackets are the names the app exposes under
 * {@code sdatc.sdatc.}.
 *
 * @param steps denoising steps per window [steps], default 4
 * @param sampler DDIM or DPMPP_2M [sampler], default DDIM
 * @param eta DDIM stochasticity [eta], default 0 (deterministic); DPM++ 2M ignores it
 * @param strength fraction of the schedule the start latents are noised to [strength], in (0, 1],
 *     default 1 (start from the condition latents noised to the last training timestep)
 * @param flowSource DIS (OpenCV optical flow on the low-resolution frames), MOTION_VECTORS (the
 *     H.264 decoder's motion vectors, DIS for pairs without them), MODEL (the model directory's
 *     optional flow stage) or NONE (no Eq. 13-14 guidance, no stitching) [flow], default DIS
 * @param disPreset DIS speed preset [flow.dis-preset], default ULTRAFAST
 * @param guidance Eq. 14's scale, step-size schedule and target [guidance.scale,
 *     guidance.step-size, guidance.target], default {@link FlowGuidance.Config#defaults()}
 * @param cfwWeight w of Eq. 12 [cfw-weight]; NaN means the model manifest's default
 * @param colorFix ADAIN (the paper's), WAVELET or NONE [color-fix], default ADAIN
 * @param tileSize output frames wider or taller than this many pixels are processed in tiles of at
 *     most this size [tile.size], default 1024
 * @param tileOverlap output pixels shared by neighbouring tiles, blended with linear ramps
 *     [tile.overlap], default 64
 * @param carryMaxBytes largest carry a window may hand on [carry.max-bytes], default 15 MiB; it
 *     must fit one Kafka record ({@code sdatc.max.record.bytes}, 16 MiB) with room to spare. A
 *     carry is C * h * w * 2 bytes per tile plus the low-resolution frame: ~0.3 MB at 480x270 for
 *     a model with SD's 4 latent channels, ~14 MB for reference-tiny's 192. A larger carry is
 *     dropped with a warning naming the window (no stitching to the next window)
 * @param execution ONNX Runtime provider and threads [engine.*]
 * @param modelCache where reference-tiny is generated when no model directory is given
 *     [model-cache], default ~/.cache/sdatc-enhancer/models
 */
public record SdatcOptions(
        int steps,
        SamplerKind sampler,
        double eta,
        double strength,
        FlowSourceKind flowSource,
        DisFlowSource.Preset disPreset,
        FlowGuidance.Config guidance,
        double cfwWeight,
        ColorFixKind colorFix,
        int tileSize,
        int tileOverlap,
        int carryMaxBytes,
        ExecutionConfig execution,
        Path modelCache) {

    public enum SamplerKind {
        DDIM,
        DPMPP_2M
    }

    public enum FlowSourceKind {
        DIS,
        MOTION_VECTORS,
        MODEL,
        NONE
    }

    public enum ColorFixKind {
        ADAIN,
        WAVELET,
        NONE;

        /** The colour fix, or null for NONE. */
        public ColorCorrection create() {
            return switch (this) {
                case ADAIN -> new AdaIn();
                case WAVELET -> new WaveletColorFix();
                case NONE -> null;
            };
        }
    }

    public SdatcOptions {
        Objects.requireNonNull(sampler, "sdatc.sampler must be DDIM or DPMPP_2M");
        Objects.requireNonNull(flowSource, "sdatc.flow must be DIS, MOTION_VECTORS, MODEL or NONE");
        Objects.requireNonNull(disPreset, "sdatc.flow.dis-preset");
        Objects.requireNonNull(guidance, "sdatc.guidance");
        Objects.requireNonNull(colorFix, "sdatc.color-fix must be ADAIN, WAVELET or NONE");
        Objects.requireNonNull(execution, "engine execution config");
        Objects.requireNonNull(modelCache, "sdatc.model-cache");
        if (steps < 1 || steps > 1000) {
            throw new IllegalArgumentException("sdatc.steps must be in 1..1000, got " + steps);
        }
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("sdatc.eta must be in [0, 1], got " + eta);
        }
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("sdatc.strength must be in (0, 1], got " + strength);
        }
        if (!Double.isNaN(cfwWeight) && !(cfwWeight >= 0 && cfwWeight <= 1)) {
            throw new IllegalArgumentException(
                    "sdatc.cfw-weight must be in [0, 1] (or unset for the model's default), got " + cfwWeight);
        }
        if (carryMaxBytes < 0) {
            throw new IllegalArgumentException("sdatc.carry.max-bytes must be >= 0, got " + carryMaxBytes);
        }
        if (tileSize < 64) {
            throw new IllegalArgumentException("sdatc.tile.size must be at least 64 output pixels, got " + tileSize);
        }
        if (tileOverlap < 16 || tileOverlap > tileSize / 2) {
            throw new IllegalArgumentException("sdatc.tile.overlap must be in 16.." + tileSize / 2
                    + " output pixels for tile size " + tileSize + ", got " + tileOverlap);
        }
    }

    /** 4 DDIM steps, eta 0, DIS flow guidance, the model's CFW weight, AdaIN, 1024-pixel tiles. */
    public static SdatcOptions defaults() {
        return new SdatcOptions(
                4,
                SamplerKind.DDIM,
                0,
                1.0,
                FlowSourceKind.DIS,
                DisFlowSource.Preset.ULTRAFAST,
                FlowGuidance.Config.defaults(),
                Double.NaN,
                ColorFixKind.ADAIN,
                1024,
                64,
                15 << 20,
                ExecutionConfig.defaults(),
                ReferenceModels.defaultCacheRoot());
    }

    public SdatcOptions withSteps(int v) {
        return new SdatcOptions(
                v,
                sampler,
                eta,
                strength,
                flowSource,
                disPreset,
                guidance,
                cfwWeight,
                colorFix,
                tileSize,
                tileOverlap,
                carryMaxBytes,
                execution,
                modelCache);
    }

    public SdatcOptions withSampler(SamplerKind v, double newEta) {
        return new SdatcOptions(
                steps,
                v,
                newEta,
                strength,
                flowSource,
                disPreset,
                guidance,
                cfwWeight,
                colorFix,
                tileSize,
                tileOverlap,
                carryMaxBytes,
                execution,
                modelCache);
    }

    public SdatcOptions withFlow(FlowSourceKind v, FlowGuidance.Config g) {
        return new SdatcOptions(
                steps,
                sampler,
                eta,
                strength,
                v,
                disPreset,
                g,
                cfwWeight,
                colorFix,
                tileSize,
                tileOverlap,
                carryMaxBytes,
                execution,
                modelCache);
    }

    public SdatcOptions withColorFix(ColorFixKind v) {
        return new SdatcOptions(
                steps,
                sampler,
                eta,
                strength,
                flowSource,
                disPreset,
                guidance,
                cfwWeight,
                v,
                tileSize,
                tileOverlap,
                carryMaxBytes,
                execution,
                modelCache);
    }

    public SdatcOptions withTiles(int size, int overlap) {
        return new SdatcOptions(
                steps,
                sampler,
                eta,
                strength,
                flowSource,
                disPreset,
                guidance,
                cfwWeight,
                colorFix,
                size,
                overlap,
                carryMaxBytes,
                execution,
                modelCache);
    }

    public SdatcOptions withExecution(ExecutionConfig v) {
        return new SdatcOptions(
                steps,
                sampler,
                eta,
                strength,
                flowSource,
                disPreset,
                guidance,
                cfwWeight,
                colorFix,
                tileSize,
                tileOverlap,
                carryMaxBytes,
                v,
                modelCache);
    }

    public SdatcOptions withModelCache(Path v) {
        return new SdatcOptions(
                steps,
                sampler,
                eta,
                strength,
                flowSource,
                disPreset,
                guidance,
                cfwWeight,
                colorFix,
                tileSize,
                tileOverlap,
                carryMaxBytes,
                execution,
                v);
    }

    public SdatcOptions withCarryMaxBytes(int v) {
        return new SdatcOptions(
                steps,
                sampler,
                eta,
                strength,
                flowSource,
                disPreset,
                guidance,
                cfwWeight,
                colorFix,
                tileSize,
                tileOverlap,
                v,
                execution,
                modelCache);
    }
}
