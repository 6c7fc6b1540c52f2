package org.sdatc.enhancer.engine.reference;

import static org.sdatc.enhancer.engine.reference.Value.UNKNOWN;

/**
 * The layers of the paper-size SDATC model (SwinIR, Stable Diffusion's UNet and VAE, PCAM, STAM,
 * CFW), with every weight a deferred parameter: values are drawn from the seeded {@link Weights}
 * only while the model is being written, one tensor at a time, so a 1.5 G-parameter model can be
 * generated in little memory and its graph can be inspected without drawing any value.
 * Parameter names start with a component ("unet.base.", "unet.ctrl.", "dec.stam.") that model info
 * groups parameters by.
 */
final class PaperBlocks {
    final OnnxGraphBuilder b;
    private final Weights w;

    PaperBlocks(OnnxGraphBuilder b, Weights w) {
        this.b = b;
        this.w = w;
    }

    // ---- parameters ----

    Value gaussian(String name, double std, int... shape) {
        int n = count(shape);
        return b.deferredParam(name, () -> w.gaussian(name, n, std), shape);
    }

    Value zeros(String name, int... shape) {
        int n = count(shape);
        return b.deferredParam(name, () -> new float[n], shape);
    }

    private static int count(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "parameter too large for one array: " + java.util.Arrays.toString(shape));
        }
        return (int) n;
    }

    // ---- convolutions and linear layers ----

    /** Conv k x k with bias, He-initialised; "same" padding. */
    Value conv(String name, Value x, int cout, int k, int stride) {
        int cin = x.channels();
        Value wt = gaussian(name + ".w", Math.sqrt(2.0 / (cin * k * k)), cout, cin, k, k);
        return b.conv(x, wt, zeros(name + ".b", cout), stride, k / 2, 1);
    }

    /** A zero-initialised conv (ControlNet's zero convolution). */
    Value zeroConv(String name, Value x, int cout, int k) {
        return b.conv(x, zeros(name + ".w", cout, x.channels(), k, k), zeros(name + ".b", cout), 1, k / 2, 1);
    }

    /** x @ W (+ b) over the last axis, Xavier-initialised. */
    Value linear(String name, Value x, int out, boolean bias) {
        int in = x.dim(-1);
        Value y = b.matmul(x, gaussian(name + ".w", Math.sqrt(2.0 / (in + out)), in, out));
        return bias ? b.add(y, zeros(name + ".b", out)) : y;
    }

    Value zeroLinear(String name, Value x, int out) {
        int in = x.dim(-1);
        return b.add(b.matmul(x, zeros(name + ".w", in, out)), zeros(name + ".b", out));
    }

    /** GroupNorm with 32 groups (SD's), or the most that divide the channels. */
    Value groupNorm(String name, Value x) {
        int c = x.channels();
        int groups = 32;
        while (c % groups != 0) {
            groups /= 2;
        }
        return b.groupNorm(
                x,
                groups,
                b.param(name + ".gamma", Weights.filled(c, 1f), c, 1, 1),
                b.param(name + ".beta", new float[c], c, 1, 1));
    }

    Value layerNorm(String name, Value x) {
        int c = x.dim(-1);
        return b.layerNorm(
                x, b.param(name + ".gamma", Weights.filled(c, 1f), c), b.param(name + ".beta", new float[c], c));
    }

    // ---- residual blocks ----

    /** SD ResBlock: GN-SiLU-Conv3x3, + Linear(SiLU(temb)) when given, GN-SiLU-Conv3x3, 1x1 skip if widths differ. */
    Value resBlock(String name, Value x, int cout, Value temb) {
        Value h = conv(name + ".conv1", b.silu(groupNorm(name + ".norm1", x)), cout, 3, 1);
        if (temb != null) {
            Value t = linear(name + ".temb", b.silu(temb), cout, true);
            h = b.add(h, b.reshape(t, b.ints(0, -1, 1, 1), new int[] {t.dim(0), cout, 1, 1}));
        }
        h = conv(name + ".conv2", b.silu(groupNorm(name + ".norm2", h)), cout, 3, 1);
        Value skip = x.channels() == cout ? x : conv(name + ".skip", x, cout, 1, 1);
        return b.add(skip, h);
    }

    /** Nearest x2 then Conv3x3 (SD's Upsample). */
    Value upsample(String name, Value x) {
        return conv(name, b.upsample2x(x), x.channels(), 3, 1);
    }

    // ---- attention ----

    /** NCHW to tokens [N, H*W, C]. */
    Value tokens(Value x) {
        int c = x.channels();
        int l = x.dim(2) == UNKNOWN || x.dim(3) == UNKNOWN ? UNKNOWN : x.dim(2) * x.dim(3);
        return b.transpose(b.reshape(x, b.ints(0, c, -1), new int[] {x.dim(0), c, l}), 0, 2, 1);
    }

    /** Tokens [N, L, C] back to the NCHW shape of {@code like}. */
    Value untokens(Value t, Value like) {
        return b.reshape(b.transpose(t, 0, 2, 1), b.shape(like), like.shape());
    }

    /** [..., L, C] to [..., heads, L, C/heads] (or [..., heads, C/heads, L] when {@code keys}). */
    Value splitHeads(Value t, int heads, boolean keys) {
        int r = t.rank();
        int c = t.dim(-1);
        int l = t.dim(-2);
        long[] shape = new long[r + 1];
        int[] known = new int[r + 1];
        for (int i = 0; i < r - 2; i++) {
            known[i] = t.dim(i);
        }
        shape[r - 2] = l == UNKNOWN ? -1 : l;
        known[r - 2] = l;
        shape[r - 1] = heads;
        known[r - 1] = heads;
        shape[r] = c / heads;
        known[r] = c / heads;
        int[] perm = new int[r + 1];
        for (int i = 0; i < r + 1; i++) {
            perm[i] = i;
        }
        perm[r - 2] = r - 1;
        perm[r - 1] = keys ? r : r - 2;
        perm[r] = keys ? r - 2 : r;
        return b.transpose(b.reshape(t, b.ints(shape), known), perm);
    }

    /** [..., heads, L, dh] back to [..., L, heads * dh]. */
    Value mergeHeads(Value ctx) {
        int r = ctx.rank() - 1;
        int[] perm = new int[r + 1];
        for (int i = 0; i < r + 1; i++) {
            perm[i] = i;
        }
        perm[r - 2] = r - 1;
        perm[r - 1] = r - 2;
        Value t = b.transpose(ctx, perm);
        int heads = ctx.dim(-3);
        int dh = ctx.dim(-1);
        int l = ctx.dim(-2);
        long[] shape = new long[r];
        int[] known = new int[r];
        for (int i = 0; i < r - 2; i++) {
            known[i] = ctx.dim(i);
        }
        shape[r - 2] = l == UNKNOWN ? -1 : l;
        known[r - 2] = l;
        shape[r - 1] = (long) heads * dh;
        known[r - 1] = heads * dh;
        return b.reshape(t, b.ints(shape), known);
    }

    /** softmax(Q K^T / sqrt(dh) [+ bias]) V on split heads. */
    Value attend(Value q, Value kT, Value v, Value bias) {
        int dh = q.dim(-1);
        Value scores = b.mul(b.matmul(q, kT), b.scalar((float) (1 / Math.sqrt(dh))));
        if (bias != null) {
            scores = b.add(scores, bias);
        }
        return b.matmul(b.softmax(scores, -1), v);
    }

    /**
     * diffusers' Attention: to_q/to_k/to_v without bias, heads of {@code headDim}, to_out with bias;
     * {@code context} null for self-attention.
     */
    Value attention(String name, Value x, Value context, int headDim) {
        int c = x.dim(-1);
        int heads = c / headDim;
        Value kv = context == null ? x : context;
        Value q = splitHeads(linear(name + ".to_q", x, c, false), heads, false);
        Value k = splitHeads(linear(name + ".to_k", kv, c, false), heads, true);
        Value v = splitHeads(linear(name + ".to_v", kv, c, false), heads, false);
        return linear(name + ".to_out", mergeHeads(attend(q, k, v, null)), c, true);
    }

    /**
     * SD 2.x Transformer2D (linear projections): GN, proj_in, [LN, self-attention, LN,
     * cross-attention to the context, LN, GEGLU feed-forward], proj_out, residual.
     */
    Value spatialTransformer(String name, Value x, Value context, int headDim) {
        int c = x.channels();
        Value t = linear(name + ".proj_in", tokens(groupNorm(name + ".norm", x)), c, true);
        t = b.add(t, attention(name + ".attn1", layerNorm(name + ".norm1", t), null, headDim));
        t = b.add(t, attention(name + ".attn2", layerNorm(name + ".norm2", t), context, headDim));
        Value proj = linear(name + ".ff.geglu", layerNorm(name + ".norm3", t), 8 * c, true);
        Value gated = b.mul(b.slice(proj, 2, 0, 4 * c), b.gelu(b.slice(proj, 2, 4 * c, 8 * c)));
        t = b.add(t, linear(name + ".ff.out", gated, c, true));
        return b.add(x, untokens(linear(name + ".proj_out", t, c, true), x));
    }

    /** The VAE's single-head self-attention over all positions (AttnBlock), residual. */
    Value vaeAttention(String name, Value x) {
        int c = x.channels();
        Value t = tokens(groupNorm(name + ".norm", x));
        Value q = splitHeads(linear(name + ".q", t, c, true), 1, false);
        Value k = splitHeads(linear(name + ".k", t, c, true), 1, true);
        Value v = splitHeads(linear(name + ".v", t, c, true), 1, false);
        Value out = linear(name + ".proj", mergeHeads(attend(q, k, v, null)), c, true);
        return b.add(x, untokens(out, x));
    }

    // ---- Swin (DCM) ----

    /**
     * One SwinIR block on NCHW x (H, W multiples of ws): LN, window attention with the relative
     * position bias table ((2 ws - 1)^2 x heads), LN, MLP (ratio 2). Windows are cut with
     * SpaceToDepth so H and W stay symbolic. Shifted blocks omit Swin's cross-boundary mask.
     */
    Value swinBlock(String name, Value x, int ws, int heads, int shift) {
        int c = x.channels();
        int t = ws * ws;
        Value shifted = shift == 0 ? x : b.roll(b.roll(x, 2, -shift), 3, -shift);
        Value windows = b.spaceToDepth(shifted, ws);
        int nw = windows.dim(2) == UNKNOWN || windows.dim(3) == UNKNOWN ? UNKNOWN : windows.dim(2) * windows.dim(3);
        Value tok = b.transpose(b.reshape(windows, b.ints(0, t, c, -1), new int[] {x.dim(0), t, c, nw}), 0, 3, 1, 2);
        Value y = layerNorm(name + ".norm1", tok);
        Value q = splitHeads(linear(name + ".q", y, c, true), heads, false);
        Value k = splitHeads(linear(name + ".k", y, c, true), heads, true);
        Value v = splitHeads(linear(name + ".v", y, c, true), heads, false);
        int span = 2 * ws - 1;
        long[] index = new long[t * t];
        for (int p = 0; p < t; p++) {
            for (int r = 0; r < t; r++) {
                int dy = p / ws - r / ws + ws - 1;
                int dx = p % ws - r % ws + ws - 1;
                index[p * t + r] = (long) dy * span + dx;
            }
        }
        Value table = gaussian(name + ".rel_table", 0.02, span * span, heads);
        Value bias = b.transpose(
                b.reshape(b.gather(table, b.ints(index), 0), b.ints(t, t, heads), new int[] {t, t, heads}), 2, 0, 1);
        tok = b.add(tok, linear(name + ".proj", mergeHeads(attend(q, k, v, bias)), c, true));
        Value mlp = b.gelu(linear(name + ".fc1", layerNorm(name + ".norm2", tok), 2 * c, true));
        tok = b.add(tok, linear(name + ".fc2", mlp, c, true));
        Value back =
                b.depthToSpace(b.reshape(b.transpose(tok, 0, 2, 3, 1), b.shape(windows), windows.shape()), ws, "DCR");
        return shift == 0 ? back : b.roll(b.roll(back, 2, shift), 3, shift);
    }

    /** SwinIR-classical x4 upsampler: two (Conv3x3 to 4 width, PixelShuffle 2), then Conv3x3 to RGB. */
    Value pixelShuffleUpsampler(String name, Value x) {
        int width = x.channels();
        Value h = b.depthToSpace(conv(name + ".conv0", x, 4 * width, 3, 1), 2, "CRD");
        h = b.depthToSpace(conv(name + ".conv1", h, 4 * width, 3, 1), 2, "CRD");
        return conv(name + ".conv_last", h, 3, 3, 1);
    }

    // ---- SDATC modules ----

    /**
     * Eq. 7-8 PCAM: v = softmax(AAP(Conv3x3(Z))) weights K prompt components, P_C =
     * Conv3x3(resize(sum v_k P_k)), then Conv3x3(Transformer(Cat(Z, P_C))) added to Z. The
     * Transformer is a transposed (channel) attention block at {@code width} channels, as in
     * PromptIR, so its cost is linear in H*W; its last conv is zero-initialised.
     */
    Value pcam(String name, Value z, int prompts, int promptChannels, int promptSize, int width) {
        Value logits = b.globalAveragePool(conv(name + ".weigh", z, prompts, 3, 1));
        Value v = b.softmax(b.reshape(logits, b.ints(0, prompts), new int[] {z.dim(0), prompts}), -1);
        int plen = promptChannels * promptSize * promptSize;
        Value p = gaussian(name + ".prompts", 1.0, prompts, plen);
        Value mixed = b.reshape(b.matmul(v, p), b.ints(0, promptChannels, promptSize, promptSize), new int[] {
            z.dim(0), promptChannels, promptSize, promptSize
        });
        Value pc = conv(name + ".pc", b.resizeLike(mixed, z), promptChannels, 3, 1);
        Value t = conv(name + ".in", b.concat(1, z, pc), width, 1, 1);
        t = b.add(t, transposedAttention(name + ".attn", groupNorm(name + ".norm1", t)));
        Value ffn = conv(
                name + ".ffn2",
                b.gelu(conv(name + ".ffn1", groupNorm(name + ".norm2", t), 2 * width, 1, 1)),
                width,
                1,
                1);
        t = b.add(t, ffn);
        return b.add(z, zeroConv(name + ".out", t, z.channels(), 3));
    }

    private Value transposedAttention(String name, Value x) {
        int d = x.channels();
        int[] flat = {x.dim(0), d, x.dim(2) == UNKNOWN || x.dim(3) == UNKNOWN ? UNKNOWN : x.dim(2) * x.dim(3)};
        Value q = b.lpNormalize(b.reshape(conv(name + ".q", x, d, 1, 1), b.ints(0, d, -1), flat), -1);
        Value k = b.lpNormalize(b.reshape(conv(name + ".k", x, d, 1, 1), b.ints(0, d, -1), flat), -1);
        Value v = b.reshape(conv(name + ".v", x, d, 1, 1), b.ints(0, d, -1), flat);
        Value att = b.softmax(b.mul(b.matmul(q, b.transpose(k, 0, 2, 1)), b.scalar(4f)), -1);
        Value out = b.reshape(b.matmul(att, v), b.shape(x), x.shape());
        return conv(name + ".proj", out, d, 1, 1);
    }

    /** Eq. 10 Conv3D over (T, h, w) of x [T, C, h, w]: a full 3x3x3 convolution. */
    Value conv3dOverTime(String name, Value x) {
        int c = x.channels();
        Value ncthw = b.unsqueeze(b.transpose(x, 1, 0, 2, 3), 0); // [1, C, T, h, w]
        Value wt = gaussian(name + ".w", Math.sqrt(2.0 / (27.0 * c)), c, c, 3, 3, 3);
        Value y = b.conv(ncthw, wt, zeros(name + ".b", c), 1, 1, 1);
        return b.transpose(b.squeeze(y, 0), 1, 0, 2, 3);
    }

    /**
     * Eq. 11 TA: multi-head self-attention across the T frames at each position of x [T, C, h, w],
     * with a zero-initialised output projection.
     */
    Value temporalAttention(String name, Value x, int headDim) {
        int c = x.channels();
        int l = x.dim(2) == UNKNOWN || x.dim(3) == UNKNOWN ? UNKNOWN : x.dim(2) * x.dim(3);
        Value t = b.transpose(b.reshape(x, b.ints(0, c, -1), new int[] {x.dim(0), c, l}), 2, 0, 1); // [L, T, C]
        Value y = layerNorm(name + ".norm", t);
        int heads = Math.max(1, c / headDim);
        Value q = splitHeads(linear(name + ".q", y, c, false), heads, false);
        Value k = splitHeads(linear(name + ".k", y, c, false), heads, true);
        Value v = splitHeads(linear(name + ".v", y, c, false), heads, false);
        Value out = zeroLinear(name + ".out", mergeHeads(attend(q, k, v, null)), c);
        Value back = b.reshape(b.transpose(out, 1, 2, 0), b.shape(x), x.shape());
        return b.add(x, back);
    }
}
