package org.sdatc.enhancer.engine.reference;

import static org.sdatc.enhancer.engine.reference.OnnxGraphBuilder.ElemType.FLOAT;
import static org.sdatc.enhancer.engine.reference.OnnxGraphBuilder.ElemType.INT64;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdatc.enhancer.engine.onnx.ModelCache;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.ir.ModelProto;

/**
 * Generates model directories with the published SDATC architecture and seeded random weights
 * (docs/model-contract.md, "reference-paper"): for sizing, cost and throughput work before trained
 * weights exist. The output is noise-like; the structure, parameter count and FLOPs are the
 * paper's.
 *
 * <ul>
 *   <li>DCM (Eq. 5): SwinIR-classical x4: Conv3x3, RSTBs of Swin blocks (window 8, alternately
 *       shifted) each closed by a Conv3x3 and a residual, LayerNorm, Conv3x3, then the
 *       PixelShuffle upsampler.
 *   <li>VAE encoder: SD's (128, 256, 512, 512), f = 8, 4 latent channels (the posterior mean);
 *       {@code enc_features} is its last level's 512-channel map at latent size (what CFW reads).
 *   <li>UNet (Eq. 6-8): SD 2.1 (320 channels, multipliers 1, 2, 4, 4, 2 ResBlocks per level,
 *       heads of 64 at the three finer levels, linear-projection transformers). Cross-attention
 *       attends to a fixed learned context of 77 x 1024 instead of a text encoder (StableSR runs
 *       with empty prompts, whose CLIP encoding is one constant). A ControlNet copy of the encoder
 *       reads Cat(z_t, condition) and joins the UNet through 13 zero 1x1 convs; PCAM follows
 *       every decoder level. One UNet call per step (no classifier-free guidance).
 *   <li>VAE decoder (Eq. 9-12): SD's decoder; after its mid block: PCAM, STAM (Eq. 10 Conv3D
 *       alpha-mix, Eq. 11 temporal attention beta-mix and a ResBlock), CFW (SFT-style fusion
 *       with the encoder features, weighted by {@code cfw_weight}); PCAM after every up level.
 * </ul>
 */
public final class PaperModels {
    private static final String VERSION = "1";
    /** T of the VAE decoder window (section 4.1: clips of 5 frames). */
    public static final int WINDOW = 5;

    private PaperModels() {}

    /** The named profile: {@code reference-paper} or {@code reference-small}. */
    public static PaperProfile profile(String name) {
        return switch (name) {
            case "reference-paper" -> PaperProfile.paper();
            case "reference-small" -> PaperProfile.small();
            default ->
                throw new IllegalArgumentException(
                        "unknown paper profile '" + name + "': use reference-paper or reference-small");
        };
    }

    /** The four stage graphs of {@code p} without weight values (shapes and ops only). */
    public static Map<ModelStage, ModelProto> graphOnly(PaperProfile p) {
        Map<ModelStage, ModelProto> out = new EnumMap<>(ModelStage.class);
        Weights w = new Weights(p.seed(), Set.of());
        out.put(ModelStage.DCM, dcm(p, w).buildGraphOnly("SDATC DCM (Eq. 5)"));
        out.put(ModelStage.VAE_ENCODER, vaeEncoder(p, w).buildGraphOnly("SDATC VAE encoder"));
        out.put(ModelStage.UNET, unet(p, w).buildGraphOnly("SDATC UNet + ControlNet + PCAM"));
        out.put(ModelStage.VAE_DECODER, vaeDecoder(p, w).buildGraphOnly("SDATC VAE decoder"));
        return out;
    }

    /**
     * The model directory of {@code p} under {@code cacheRoot}, generated on first use (for
     * reference-paper: about 6 GB of external data, written one tensor at a time). Safe against
     * concurrent callers: each generates into a private temp directory and moves it in.
     */
    public static Path ensure(PaperProfile p, Path cacheRoot) {
        return ModelCache.ensure(
                cacheRoot,
                p.cacheKey() + "-v" + VERSION,
                p.name(),
                "check that the directory is writable and has room (reference-paper needs ~6 GB)",
                dir -> generate(p, dir));
    }

    /** Writes manifest.json and the four stage graphs (with external data) into {@code dir}. */
    public static ModelManifest generate(PaperProfile p, Path dir) throws IOException {
        Files.createDirectories(dir);
        Weights w = new Weights(p.seed(), Set.of());
        Map<ModelStage, String> files = new EnumMap<>(ModelStage.class);
        for (ModelStage s : List.of(ModelStage.DCM, ModelStage.VAE_ENCODER, ModelStage.UNET, ModelStage.VAE_DECODER)) {
            files.put(s, s.key() + ".onnx");
        }
        long external = 1 << 16;
        dcm(p, w).saveStreaming("SDATC DCM (Eq. 5)", dir.resolve(files.get(ModelStage.DCM)), external);
        vaeEncoder(p, w).saveStreaming("SDATC VAE encoder", dir.resolve(files.get(ModelStage.VAE_ENCODER)), external);
        unet(p, w)
                .saveStreaming(
                        "SDATC UNet + ControlNet + PCAM (Eq. 6-8)", dir.resolve(files.get(ModelStage.UNET)), external);
        vaeDecoder(p, w)
                .saveStreaming(
                        "SDATC VAE decoder: PCAM, STAM, CFW (Eq. 7-12)",
                        dir.resolve(files.get(ModelStage.VAE_DECODER)),
                        external);
        ModelManifest manifest = new ModelManifest(
                p.name(),
                VERSION + "+" + p.cacheKey(),
                4,
                p.latentChannels(),
                p.latentDownsample(),
                p.latentMultiple(),
                WINDOW,
                new ModelManifest.Scheduler(
                        1000,
                        ModelManifest.BetaSchedule.SCALED_LINEAR,
                        0.00085,
                        0.012,
                        ModelManifest.PredictionType.EPSILON),
                0.18215,
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

    // ---- DCM ----

    static OnnxGraphBuilder dcm(PaperProfile p, Weights w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("dcm");
        PaperBlocks k = new PaperBlocks(b, w);
        Value lq = b.input("lq", FLOAT, "N", 3, "H", "W");
        int ws = p.window();
        Value x = b.padEdgeToMultiple(lq, ws);
        Value first = k.conv("dcm.swinir.conv_first", x, p.dcmEmbed(), 3, 1);
        Value h = first;
        for (int r = 0; r < p.dcmRstb(); r++) {
            String name = "dcm.swinir.rstb" + r;
            Value s = h;
            for (int i = 0; i < p.dcmDepth(); i++) {
                s = k.swinBlock(name + ".swin" + i, s, ws, p.dcmHeads(), i % 2 == 0 ? 0 : ws / 2);
            }
            h = b.add(h, k.conv(name + ".conv", s, p.dcmEmbed(), 3, 1));
        }
        Value normed = b.transpose(k.layerNorm("dcm.swinir.norm", b.transpose(h, 0, 2, 3, 1)), 0, 3, 1, 2);
        h = b.add(first, k.conv("dcm.swinir.conv_after_body", normed, p.dcmEmbed(), 3, 1));
        h = b.leakyRelu(k.conv("dcm.swinir.conv_before_up", h, p.dcmUpWidth(), 3, 1), 0.01f);
        Value up = k.pixelShuffleUpsampler("dcm.swinir.up", h);
        b.output(b.clip(b.cropLike(up, lq, 4), 0f, 1f), "restored", FLOAT, "N", 3, "H4", "W4");
        return b;
    }

    // ---- VAE ----

    static OnnxGraphBuilder vaeEncoder(PaperProfile p, Weights w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("vae_encoder");
        PaperBlocks k = new PaperBlocks(b, w);
        int[] ch = p.vaeChannels();
        Value image = b.input("image", FLOAT, "N", 3, "H", "W");
        Value h = k.conv("vae.enc.conv_in", image, ch[0], 3, 1);
        for (int i = 0; i < ch.length; i++) {
            for (int r = 0; r < p.vaeResBlocks(); r++) {
                h = k.resBlock("vae.enc.down" + i + ".res" + r, h, ch[i], null);
            }
            if (i < ch.length - 1) {
                h = k.conv("vae.enc.down" + i + ".downsample", h, ch[i], 3, 2);
            }
        }
        Value features = h;
        int top = ch[ch.length - 1];
        h = k.resBlock("vae.enc.mid.res0", h, top, null);
        h = k.vaeAttention("vae.enc.mid.attn", h);
        h = k.resBlock("vae.enc.mid.res1", h, top, null);
        h = k.conv("vae.enc.conv_out", b.silu(k.groupNorm("vae.enc.norm_out", h)), 2 * p.latentChannels(), 3, 1);
        h = k.conv("vae.enc.quant_conv", h, 2 * p.latentChannels(), 1, 1);
        b.output(b.slice(h, 1, 0, p.latentChannels()), "latent", FLOAT, "N", p.latentChannels(), "h", "w");
        b.output(features, "enc_features", FLOAT, "N", top, "h", "w");
        return b;
    }

    static OnnxGraphBuilder vaeDecoder(PaperProfile p, Weights w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("vae_decoder");
        PaperBlocks k = new PaperBlocks(b, w);
        int[] ch = p.vaeChannels();
        int top = ch[ch.length - 1];
        Value z = b.input("latent", FLOAT, "T", p.latentChannels(), "h", "w");
        Value fe = b.input("enc_features", FLOAT, "T", top, "h", "w");
        Value cfwWeight = b.input("cfw_weight", FLOAT, 1);
        Value h = k.conv("vae.dec.post_quant_conv", z, p.latentChannels(), 1, 1);
        // Eq. 9: Z0' = Res(Conv3x3(Z)): conv_in and the pretrained mid block.
        h = k.conv("vae.dec.conv_in", h, top, 3, 1);
        h = k.resBlock("vae.dec.mid.res0", h, top, null);
        h = k.vaeAttention("vae.dec.mid.attn", h);
        h = k.resBlock("vae.dec.mid.res1", h, top, null);
        h = pcam(k, p, "dec.pcam.mid", h);
        // Eq. 10: Z'' = alpha Conv3D(Z') + (1 - alpha) Z'.
        Value one = b.scalar(1f);
        Value alpha = b.param("dec.stam.alpha", Weights.filled(top, 0.5f), 1, top, 1, 1);
        h = b.add(b.mul(alpha, k.conv3dOverTime("dec.stam.conv3d", h)), b.mul(b.sub(one, alpha), h));
        // Eq. 11: F_d = Res(beta TA(Z'') + (1 - beta) Z'').
        Value beta = b.param("dec.stam.beta", Weights.filled(top, 0.5f), 1, top, 1, 1);
        Value ta = k.temporalAttention("dec.stam.ta", h, p.headDim());
        Value fd = k.resBlock("dec.stam.res", b.add(b.mul(beta, ta), b.mul(b.sub(one, beta), h)), top, null);
        // Eq. 12: F_d + w CFW(F_e, F_d), CFW as StableSR's SFT fusion (scale and shift from both).
        Value fused = k.resBlock("dec.cfw.res", b.concat(1, fe, fd), top, null);
        Value cfw = b.add(
                b.mul(fd, k.zeroConv("dec.cfw.scale", fused, top, 3)), k.zeroConv("dec.cfw.shift", fused, top, 3));
        h = b.add(fd, b.mul(cfwWeight, cfw));
        // Up(): the decoder's up levels, each followed by PCAM.
        for (int i = ch.length - 1; i >= 0; i--) {
            String name = "vae.dec.up" + (ch.length - 1 - i);
            for (int r = 0; r <= p.vaeResBlocks(); r++) {
                h = k.resBlock(name + ".res" + r, h, ch[i], null);
            }
            if (i > 0) {
                h = k.upsample(name + ".upsample", h);
            }
            h = pcam(k, p, "dec.pcam.up" + (ch.length - 1 - i), h);
        }
        h = k.conv("vae.dec.conv_out", b.silu(k.groupNorm("vae.dec.norm_out", h)), 3, 3, 1);
        b.output(h, "image", FLOAT, "T", 3, "H", "W");
        return b;
    }

    private static Value pcam(PaperBlocks k, PaperProfile p, String name, Value z) {
        return k.pcam(
                name,
                z,
                p.pcamPrompts(),
                p.pcamPromptChannels(),
                p.pcamPromptSize(),
                Math.max(8, z.channels() / p.pcamReduction()));
    }

    // ---- UNet ----

    static OnnxGraphBuilder unet(PaperProfile p, Weights w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("unet");
        PaperBlocks k = new PaperBlocks(b, w);
        int c = p.latentChannels();
        Value sample = b.input("sample", FLOAT, "N", c, "h", "w");
        Value timestep = b.input("timestep", INT64, "N");
        Value cond = b.input("condition", FLOAT, "N", c, "h", "w");
        Value context = k.gaussian("unet.base.context", 1.0, 1, p.contextLength(), p.contextDim());

        int mc = p.unetChannels();
        int half = mc / 2;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = (float) Math.exp(-Math.log(10000) * i / half);
        }
        Value tf = b.mul(b.unsqueeze(b.castToFloat(timestep), 1), b.param("unet.base.temb.freqs", freqs, 1, half));
        Value sinusoid = b.concat(1, b.cos(tf), b.sin(tf));

        Value temb = timeEmbedding(k, "unet.base.temb", sinusoid, 4 * mc);
        List<Value> skips = new ArrayList<>();
        Value mid = encoder(k, p, "unet.base", k.conv("unet.base.conv_in", sample, mc, 3, 1), temb, context, skips);

        // Eq. 6: the trainable copy reads Cat(z_t, C_HR) and joins through zero convs.
        Value ctemb = timeEmbedding(k, "unet.ctrl.temb", sinusoid, 4 * mc);
        List<Value> ctrlSkips = new ArrayList<>();
        Value ctrlIn = k.conv("unet.ctrl.conv_in", b.concat(1, sample, cond), mc, 3, 1);
        Value ctrlMid = encoder(k, p, "unet.ctrl", ctrlIn, ctemb, context, ctrlSkips);
        for (int i = 0; i < skips.size(); i++) {
            Value s = skips.get(i);
            skips.set(i, b.add(s, k.zeroConv("unet.ctrl.zero" + i, ctrlSkips.get(i), s.channels(), 1)));
        }
        Value h = b.add(mid, k.zeroConv("unet.ctrl.zero_mid", ctrlMid, mid.channels(), 1));

        int[] mult = p.unetMult();
        for (int level = mult.length - 1; level >= 0; level--) {
            String name = "unet.base.up" + (mult.length - 1 - level);
            for (int r = 0; r <= p.unetResBlocks(); r++) {
                Value skip = skips.remove(skips.size() - 1);
                h = k.resBlock(name + ".res" + r, b.concat(1, h, skip), mc * mult[level], temb);
                if (level < mult.length - 1) {
                    h = k.spatialTransformer(name + ".attn" + r, h, context, p.headDim());
                }
            }
            if (level > 0) {
                h = k.upsample(name + ".upsample", h);
            }
            // Eq. 7-8: PCAM at every decoder scale.
            h = pcam(k, p, "unet.pcam.up" + (mult.length - 1 - level), h);
        }
        Value out = k.conv("unet.base.conv_out", b.silu(k.groupNorm("unet.base.norm_out", h)), c, 3, 1);
        b.output(out, "model_output", FLOAT, "N", c, "h", "w");
        return b;
    }

    private static Value timeEmbedding(PaperBlocks k, String name, Value sinusoid, int width) {
        return k.linear(name + ".fc2", k.b.silu(k.linear(name + ".fc1", sinusoid, width, true)), width, true);
    }

    /** SD's down path and mid block; records the 3 * levels skip tensors and returns the mid output. */
    private static Value encoder(
            PaperBlocks k, PaperProfile p, String prefix, Value h, Value temb, Value context, List<Value> skips) {
        int[] mult = p.unetMult();
        int mc = p.unetChannels();
        skips.add(h);
        for (int level = 0; level < mult.length; level++) {
            boolean attn = level < mult.length - 1;
            for (int r = 0; r < p.unetResBlocks(); r++) {
                String name = prefix + ".down" + level;
                h = k.resBlock(name + ".res" + r, h, mc * mult[level], temb);
                if (attn) {
                    h = k.spatialTransformer(name + ".attn" + r, h, context, p.headDim());
                }
                skips.add(h);
            }
            if (level < mult.length - 1) {
                h = k.conv(prefix + ".down" + level + ".downsample", h, h.channels(), 3, 2);
                skips.add(h);
            }
        }
        int top = mc * mult[mult.length - 1];
        h = k.resBlock(prefix + ".mid.res0", h, top, temb);
        h = k.spatialTransformer(prefix + ".mid.attn", h, context, p.headDim());
        return k.resBlock(prefix + ".mid.res1", h, top, temb);
    }
}
