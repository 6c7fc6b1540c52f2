package org.sdatc.enhancer.engine.reference;

import static org.sdatc.enhancer.engine.reference.OnnxGraphBuilder.ElemType.FLOAT;
import static org.sdatc.enhancer.engine.reference.OnnxGraphBuilder.ElemType.INT64;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdatc.enhancer.engine.onnx.ModelCache;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.reference.Blocks.Init;
import org.sdatc.enhancer.tensor.Bicubic;

/**
 * Generates reference SDATC model directories (docs/model-contract.md): the paper's architecture at
 * small widths, initialised so the whole chain returns a clean x4 bicubic upscale, the way ControlNet
 * and StableSR start fine-tuning from zero convolutions and identity residuals:
 *
 * <ul>
 *   <li>DCM (Eq. 5): conv_first, an RSTB of two Swin blocks (plain and shifted windows), and a
 *       zero conv added onto an exact bicubic x4 path (edge pad, a fixed 5x5 conv producing the 16
 *       sub-pixel phases per colour, PixelShuffle).
 *   <li>VAE: SpaceToDepth(f) and a seeded random orthogonal 1x1 conv (exactly invertible), with a
 *       conv stack for the encoder features; the decoder applies PCAM (Eq. 7-8), Eq. 9's conv and
 *       residual block, STAM (Eq. 10 Conv3D with alpha, Eq. 11 temporal attention with beta), CFW
 *       (Eq. 12) and then the inverse map.
 *   <li>UNet (Eq. 6-8): the analytic prediction of a denoiser whose clean latent is the condition,
 *       plus a tiny UNet (timestep embedding, ResBlocks, down/up, self-attention, PCAM) with a
 *       ControlNet copy of its encoder fed the condition through zero convs, whose output conv is
 *       zero.
 * </ul>
 */
public final class ReferenceModels {
    private static final String VERSION = "1";

    private ReferenceModels() {}

    /** $XDG_CACHE_HOME/sdatc-enhancer/models, or ~/.cache/sdatc-enhancer/models. */
    public static Path defaultCacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("sdatc-enhancer").resolve("models");
    }

    /**
     * The model directory of {@code profile} under {@code cacheRoot}, generated on first use. Safe
     * against concurrent callers: each generates into a private temp directory and moves it in.
     */
    public static Path ensure(ReferenceProfile profile, Path cacheRoot) {
        return ModelCache.ensure(
                cacheRoot,
                profile.cacheKey() + "-v" + VERSION,
                profile.name(),
                "check that the directory is writable (or choose another model cache)",
                dir -> generate(profile, dir));
    }

    /** Writes manifest.json and the four stage graphs of {@code profile} into {@code dir}. */
    public static ModelManifest generate(ReferenceProfile profile, Path dir) throws IOException {
        Files.createDirectories(dir);
        Weights w = new Weights(profile.seed(), profile.perturbed());
        ModelManifest.Scheduler scheduler = new ModelManifest.Scheduler(
                1000, ModelManifest.BetaSchedule.SCALED_LINEAR, 0.00085, 0.012, ModelManifest.PredictionType.EPSILON);
        Map<ModelStage, String> files = new EnumMap<>(ModelStage.class);
        for (ModelStage s : List.of(ModelStage.DCM, ModelStage.VAE_ENCODER, ModelStage.UNET, ModelStage.VAE_DECODER)) {
            files.put(s, s.key() + ".onnx");
        }
        // Parameters above 1 MiB go to external data files; tiny models stay single-file.
        long external = 1 << 20;
        OnnxGraphBuilder.save(
                dcm(profile, w).build("SDATC DCM (Eq. 5)"), dir.resolve(files.get(ModelStage.DCM)), external);
        OnnxGraphBuilder.save(
                vaeEncoder(profile, w).build("SDATC VAE encoder"),
                dir.resolve(files.get(ModelStage.VAE_ENCODER)),
                external);
        OnnxGraphBuilder.save(
                unet(profile, w, scheduler).build("SDATC UNet + ControlNet + PCAM (Eq. 6-8)"),
                dir.resolve(files.get(ModelStage.UNET)),
                external);
        OnnxGraphBuilder.save(
                vaeDecoder(profile, w).build("SDATC VAE decoder: PCAM, STAM, CFW (Eq. 7-12)"),
                dir.resolve(files.get(ModelStage.VAE_DECODER)),
                external);
        ModelManifest manifest = new ModelManifest(
                profile.name(),
                VERSION + "+" + profile.cacheKey(),
                4,
                profile.latentChannels(),
                profile.latentDownsample(),
                profile.latentMultiple(),
                5,
                scheduler,
                1.0,
                0.75,
                ModelManifest.Dtype.FP32,
                files,
                1,
                Set.of(),
                ModelManifest.CONTRACT1_FEATURES,
                false,
                null);
        manifest.write(dir);
        return manifest;
    }

    /**
     * Adds the optional {@code flow} stage to a generated model directory (its manifest gains the
     * stage): a test graph for the engine's MODEL flow source, not an optical-flow estimator. It
     * is a small conv net on the concatenated frames whose learned branch (conv3x3 6->8, LeakyReLU,
     * zero-initialised conv3x3 8->2) outputs zero, plus a fixed 1x1 branch and a bias:
     *
     * <pre>
     * flow_x(x) = gain * (mean_c frame1(x) - mean_c frame0(x)) + dx,   flow_y(x) = dy
     * </pre>
     *
     * so a test can tell which frame went where and in which batch slot. gain = dx = dy = 0 gives
     * zero flow. Not generated by {@link #ensure}: reference-tiny's files and cache key stay as
     * they are.
     */
    public static void addFlowStage(Path dir, float gain, float dx, float dy) throws IOException {
        ModelManifest m = ModelManifest.read(dir);
        OnnxGraphBuilder b = new OnnxGraphBuilder("flow");
        Blocks k = new Blocks(b, new Weights(7, java.util.Set.of()));
        Value f0 = b.input("frame0", FLOAT, "N", 3, "H", "W");
        Value f1 = b.input("frame1", FLOAT, "N", 3, "H", "W");
        Value both = b.concat(1, f0, f1);
        Value hidden = b.leakyRelu(k.conv3x3("flow.conv0", both, 8, Init.RANDOM), 0.1f);
        Value learned = k.conv3x3("flow.conv_out", hidden, 2, Init.ZERO);
        float[] diff = new float[2 * 6];
        for (int c = 0; c < 3; c++) {
            diff[c] = -gain / 3;
            diff[3 + c] = gain / 3;
        }
        Value fixed = b.conv(
                both,
                b.param("flow.diff.w", diff, 2, 6, 1, 1),
                b.param("flow.diff.b", new float[] {dx, dy}, 2),
                1,
                0,
                1);
        b.output(b.add(fixed, learned), "flow", FLOAT, "N", 2, "H", "W");
        String file = ModelStage.FLOW.key() + ".onnx";
        OnnxGraphBuilder.save(
                b.build("test flow stage: gain * frame difference + (dx, dy)"), dir.resolve(file), 1 << 20);
        Map<ModelStage, String> files = new EnumMap<>(m.stageFiles());
        files.put(ModelStage.FLOW, file);
        new ModelManifest(
                        m.name(),
                        m.version(),
                        m.scale(),
                        m.latentChannels(),
                        m.latentDownsample(),
                        m.latentMultiple(),
                        m.windowLength(),
                        m.scheduler(),
                        m.latentScalingFactor(),
                        m.cfwWeight(),
                        m.dtype(),
                        files,
                        m.contract(),
                        m.trainedStages(),
                        m.encFeatures(),
                        m.hintInput(),
                        m.recipe())
                .write(dir);
    }

    /**
     * The four stage graphs of {@code profile} in memory, with the manifest they would be saved
     * with (model info counts their cost without writing them).
     */
    public static Map<ModelStage, org.sdatc.enhancer.engine.onnx.ir.ModelProto> graphs(ReferenceProfile profile) {
        Weights w = new Weights(profile.seed(), profile.perturbed());
        ModelManifest.Scheduler scheduler = new ModelManifest.Scheduler(
                1000, ModelManifest.BetaSchedule.SCALED_LINEAR, 0.00085, 0.012, ModelManifest.PredictionType.EPSILON);
        Map<ModelStage, org.sdatc.enhancer.engine.onnx.ir.ModelProto> out = new EnumMap<>(ModelStage.class);
        out.put(ModelStage.DCM, dcm(profile, w).build("SDATC DCM (Eq. 5)"));
        out.put(ModelStage.VAE_ENCODER, vaeEncoder(profile, w).build("SDATC VAE encoder"));
        out.put(ModelStage.UNET, unet(profile, w, scheduler).build("SDATC UNet"));
        out.put(ModelStage.VAE_DECODER, vaeDecoder(profile, w).build("SDATC VAE decoder"));
        return out;
    }

    // ---- DCM ----

    static OnnxGraphBuilder dcm(ReferenceProfile p, Weights w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("dcm");
        Blocks k = new Blocks(b, w);
        Value lq = b.input("lq", FLOAT, "N", 3, "H", "W");
        // Exact bicubic x4 as a fixed conv: output channel c*16 + py*4 + px holds phase (py, px).
        Value phases = b.conv(
                b.padEdge(lq, 2, 2, 2, 2), b.param("dcm.bicubic.w", bicubicPhaseKernel(), 48, 3, 5, 5), null, 1, 0, 1);
        // Eq. 5: Conv3x3 -> RSTB (Swin blocks on windows, plain then shifted) -> zero conv to the phases.
        Value f = k.conv3x3("dcm.conv_first", lq, p.dcmWidth(), Init.RANDOM);
        int ws = p.swinWindow();
        Value padded = b.padEdgeToMultiple(f, ws);
        Value s = k.swinBlock("dcm.rstb0.swin0", padded, ws, 2, 0);
        s = k.swinBlock("dcm.rstb0.swin1", s, ws, 2, ws / 2);
        Value rstb = b.add(f, k.conv3x3("dcm.rstb0.conv", b.cropLike(s, f), p.dcmWidth(), Init.RANDOM));
        Value residual = k.conv3x3("dcm.up_zero", rstb, 48, Init.ZERO);
        Value up = b.depthToSpace(b.add(phases, residual), 4, "CRD");
        b.output(b.clip(up, 0f, 1f), "restored", FLOAT, "N", 3, "H4", "W4");
        return b;
    }

    /** [48, 3, 5, 5]: separable bicubic weights (a = -0.75, half_pixel) of each x4 sub-pixel phase. */
    static float[] bicubicPhaseKernel() {
        float[][] taps = new float[4][5];
        for (int phase = 0; phase < 4; phase++) {
            // Same arithmetic as Bicubic: centre = (o + 0.5) * scale - 0.5 for o = 4 i + phase.
            float center = (phase + 0.5f) * 0.25f - 0.5f;
            int base = (int) Math.floor(center);
            float frac = center - base;
            for (int t = 0; t < 4; t++) {
                taps[phase][base - 1 + t + 2] = Bicubic.kernel(frac - (t - 1));
            }
        }
        float[] w = new float[48 * 3 * 25];
        for (int c = 0; c < 3; c++) {
            for (int py = 0; py < 4; py++) {
                for (int px = 0; px < 4; px++) {
                    int out = c * 16 + py * 4 + px;
                    for (int ky = 0; ky < 5; ky++) {
                        for (int kx = 0; kx < 5; kx++) {
                            w[((out * 3 + c) * 5 + ky) * 5 + kx] = taps[py][ky] * taps[px][kx];
                        }
                    }
                }
            }
        }
        return w;
    }

    // ---- VAE ----

    static OnnxGraphBuilder vaeEncoder(ReferenceProfile p, Weights w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("vae_encoder");
        Blocks k = new Blocks(b, w);
        int f = p.latentDownsample();
        int c = p.latentChannels();
        Value image = b.input("image", FLOAT, "N", 3, "H", "W");
        Value patches = b.spaceToDepth(image, f);
        Value latent = b.conv(
                patches, b.param("vae.orthogonal", w.orthogonal("vae.orthogonal", c), c, c, 1, 1), null, 1, 0, 1);
        b.output(latent, "latent", FLOAT, "N", c, "h", "w");
        Value fe = k.conv1x1("vae.enc.feat0", patches, p.branchWidth(), Init.RANDOM);
        fe = k.conv3x3("vae.enc.feat1", b.silu(fe), p.branchWidth(), Init.RANDOM);
        b.output(fe, "enc_features", FLOAT, "N", p.branchWidth(), "h", "w");
        return b;
    }

    static OnnxGraphBuilder vaeDecoder(ReferenceProfile p, Weights w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("vae_decoder");
        Blocks k = new Blocks(b, w);
        int f = p.latentDownsample();
        int c = p.latentChannels();
        int d = p.branchWidth();
        Value z = b.input("latent", FLOAT, "T", c, "h", "w");
        Value fe = b.input("enc_features", FLOAT, "T", d, "h", "w");
        Value cfwWeight = b.input("cfw_weight", FLOAT, 1);
        // Eq. 7-8: compression-aware prompts.
        Value zc = k.pcam("dec.pcam", z, 4, 8, 4, d);
        // Eq. 9: Z0' = Res(Conv3x3(Z'_C0)).
        Value z0 = k.zeroResBlock("dec.res0", k.depthwiseIdentity("dec.conv9", zc, 3, 2), d);
        // Eq. 10: Z0'' = alpha Conv3D(Z0') + (1 - alpha) Z0', Conv3D over (T, h, w).
        Value alpha = b.param("dec.stam.alpha", Weights.filled(c, 0.5f), 1, c, 1, 1);
        Value one = b.scalar(1f);
        Value z00 = b.add(b.mul(alpha, k.conv3dOverTime("dec.stam.conv3d", z0)), b.mul(b.sub(one, alpha), z0));
        // Eq. 11: F_d = Res(beta TA(Z0'') + (1 - beta) Z0'').
        Value beta = b.param("dec.stam.beta", Weights.filled(c, 0.5f), 1, c, 1, 1);
        Value ta = k.temporalAttention("dec.stam.ta", z00, d);
        Value fd = k.zeroResBlock("dec.res1", b.add(b.mul(beta, ta), b.mul(b.sub(one, beta), z00)), d);
        // Eq. 12: x = Up(F_d + w CFW(F_e, F_d)); CFW ends in a zero conv.
        Value mix = b.concat(1, fe, k.conv1x1("dec.cfw.fd", fd, d, Init.RANDOM));
        Value cfw = k.conv3x3("dec.cfw.zero", b.silu(k.conv3x3("dec.cfw.conv", mix, d, Init.RANDOM)), c, Init.ZERO);
        Value fused = b.add(fd, b.mul(cfwWeight, cfw));
        // Up: the inverse (transpose) of the encoder's orthogonal map, then DepthToSpace.
        float[] q = w.orthogonal("vae.orthogonal", c);
        float[] qt = new float[c * c];
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < c; j++) {
                qt[i * c + j] = q[j * c + i];
            }
        }
        Value pixels = b.conv(fused, b.param("dec.inverse_orthogonal", qt, c, c, 1, 1), null, 1, 0, 1);
        b.output(b.depthToSpace(pixels, f, "DCR"), "image", FLOAT, "T", 3, "H", "W");
        return b;
    }

    // ---- UNet ----

    static OnnxGraphBuilder unet(ReferenceProfile p, Weights w, ModelManifest.Scheduler scheduler) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("unet");
        Blocks k = new Blocks(b, w);
        int c = p.latentChannels();
        int[] widths = p.unetWidths();
        Value sample = b.input("sample", FLOAT, "N", c, "h", "w");
        Value timestep = b.input("timestep", INT64, "N");
        Value cond = b.input("condition", FLOAT, "N", c, "h", "w");

        // Analytic part: the denoiser whose clean latent is the condition. x_t = sqrt(abar) c +
        // sqrt(1 - abar) eps (Eq. 2), so eps = (x_t - sqrt(abar) c) / sqrt(1 - abar).
        double[] abar = scheduler.alphasCumprod();
        float[] sa = new float[abar.length];
        float[] s1 = new float[abar.length];
        for (int t = 0; t < abar.length; t++) {
            sa[t] = (float) Math.sqrt(abar[t]);
            s1[t] = (float) Math.sqrt(1 - abar[t]);
        }
        int[] col = {Value.UNKNOWN, 1, 1, 1};
        Value sqrtAbar =
                b.reshape(b.gather(b.param("unet.sqrt_abar", sa, sa.length), timestep, 0), b.ints(-1, 1, 1, 1), col);
        Value sqrtOne = b.reshape(
                b.gather(b.param("unet.sqrt_one_minus_abar", s1, s1.length), timestep, 0), b.ints(-1, 1, 1, 1), col);
        Value eps = b.div(b.sub(sample, b.mul(sqrtAbar, cond)), sqrtOne);
        Value analytic = switch (scheduler.predictionType()) {
            case EPSILON -> eps;
            case V_PREDICTION -> b.sub(b.mul(sqrtAbar, eps), b.mul(sqrtOne, cond));
        };

        // Sinusoidal timestep embedding -> MLP.
        int half = 16;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = (float) Math.exp(-Math.log(10000) * i / half);
        }
        Value tf = b.mul(b.unsqueeze(b.castToFloat(timestep), 1), b.param("unet.temb.freqs", freqs, 1, half));
        Value temb = b.concat(1, b.sin(tf), b.cos(tf));
        temb = k.linear("unet.temb.fc2", b.silu(k.linear("unet.temb.fc1", temb, 64, Init.RANDOM)), 64, Init.RANDOM);

        // UNet encoder, and its ControlNet copy (Eq. 6) fed Conv_zero(condition).
        List<Value> skips =
                encoder(k, "unet.", k.conv3x3("unet.conv_in", sample, widths[0], Init.RANDOM), widths, temb);
        Blocks copy = k.copyOf("unet.ctrl.", "unet.");
        Value ctrlIn = b.add(
                copy.conv3x3("unet.ctrl.conv_in", sample, widths[0], Init.RANDOM),
                k.conv3x3("unet.ctrl.cond_zero", cond, widths[0], Init.ZERO));
        List<Value> ctrl = encoder(copy, "unet.ctrl.", ctrlIn, widths, temb);
        int levels = widths.length;
        Value[] merged = new Value[levels];
        for (int i = 0; i < levels; i++) {
            merged[i] = b.add(skips.get(i), k.conv1x1("unet.ctrl.zero" + i, ctrl.get(i), widths[i], Init.ZERO));
        }
        // Decoder with PCAM at every scale (Eq. 7-8).
        Value h = k.resBlock("unet.mid.res", merged[levels - 1], widths[levels - 1], temb);
        h = k.pcam("unet.dec" + (levels - 1) + ".pcam", h, 4, 8, 4, p.branchWidth());
        for (int i = levels - 2; i >= 0; i--) {
            h = k.conv3x3("unet.dec" + i + ".up", b.upsample2x(h), widths[i], Init.RANDOM);
            h = k.resBlock("unet.dec" + i + ".res", b.concat(1, h, merged[i]), widths[i], temb);
            h = k.pcam("unet.dec" + i + ".pcam", h, 4, 8, 4, p.branchWidth());
        }
        Value out = k.conv3x3("unet.conv_out", b.silu(k.groupNorm("unet.norm_out", h)), c, Init.ZERO);
        b.output(b.add(analytic, out), "model_output", FLOAT, "N", c, "h", "w");
        return b;
    }

    /** ResBlock per level, stride-2 conv between levels, self-attention at the coarsest level. */
    private static List<Value> encoder(Blocks k, String prefix, Value h, int[] widths, Value temb) {
        List<Value> skips = new java.util.ArrayList<>();
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) {
                h = k.conv(prefix + "enc" + i + ".down", h, widths[i], 3, 2, Init.RANDOM);
            }
            h = k.resBlock(prefix + "enc" + i + ".res", h, widths[i], temb);
            if (i == widths.length - 1) {
                h = k.spatialSelfAttention(prefix + "enc" + i + ".attn", h, 2);
            }
            skips.add(h);
        }
        return skips;
    }
}
