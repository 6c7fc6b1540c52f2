package org.sdatc.enhancer.engine.reference;

import static org.sdatc.enhancer.engine.reference.Value.UNKNOWN;

import java.util.function.UnaryOperator;

/**
 * The layers SDATC is made of, emitted into one graph: convolutions, norms, residual blocks, Swin
 * window attention, spatial and transposed attention, PCAM, temporal attention. Parameter names
 * are hierarchical ("unet.enc.res0.conv1.w") so tests can perturb one branch by prefix.
 */
final class Blocks {
    enum Init {
        /** He/Xavier random: a "pretrained" layer of the tiny model. */
        RANDOM,
        /** Zero convolution / zero output projection (ControlNet practice). */
        ZERO,
        /** Identity (depthwise centre tap 1). */
        IDENTITY
    }

    final OnnxGraphBuilder b;
    final Weights w;
    private final UnaryOperator<String> drawName;

    Blocks(OnnxGraphBuilder b, Weights w) {
        this(b, w, UnaryOperator.identity());
    }

    private Blocks(OnnxGraphBuilder b, Weights w, UnaryOperator<String> drawName) {
        this.b = b;
        this.w = w;
        this.drawName = drawName;
    }

    /**
     * A view whose random layers named {@code copyPrefix...} draw the values of {@code
     * sourcePrefix...}: ControlNet's trainable copy starts as an exact copy of the UNet encoder.
     */
    Blocks copyOf(String copyPrefix, String sourcePrefix) {
        return new Blocks(b, w, n -> n.startsWith(copyPrefix) ? sourcePrefix + n.substring(copyPrefix.length()) : n);
    }

    // ---- convolutions and linear layers ----

    Value conv(String name, Value x, int cout, int k, int stride, Init init) {
        int cin = x.channels();
        int fanIn = cin * k * k;
        int n = cout * fanIn;
        float[] wt = switch (init) {
            case RANDOM -> w.he(drawName.apply(name + ".w"), n, fanIn);
            case ZERO -> w.zero(name + ".w", n, fanIn);
            case IDENTITY -> throw new IllegalArgumentException("identity init needs depthwise(): " + name);
        };
        float[] bias = init == Init.ZERO ? w.zero(name + ".b", cout, fanIn) : new float[cout];
        Value weight = b.param(name + ".w", wt, cout, cin, k, k);
        return b.conv(x, weight, b.param(name + ".b", bias, cout), stride, k / 2, 1);
    }

    Value conv1x1(String name, Value x, int cout, Init init) {
        return conv(name, x, cout, 1, 1, init);
    }

    Value conv3x3(String name, Value x, int cout, Init init) {
        return conv(name, x, cout, 3, 1, init);
    }

    /** Depthwise 2-D (k x k) or 3-D (k x k x k) convolution initialised to the identity. */
    Value depthwiseIdentity(String name, Value x, int k, int spatialDims) {
        int c = x.channels();
        int taps = spatialDims == 2 ? k * k : k * k * k;
        float[] id = new float[c * taps];
        for (int ch = 0; ch < c; ch++) {
            id[ch * taps + taps / 2] = 1f;
        }
        int[] shape = spatialDims == 2 ? new int[] {c, 1, k, k} : new int[] {c, 1, k, k, k};
        Value weight = b.param(name + ".w", w.identity(name + ".w", id, 0.2), shape);
        return b.conv(x, weight, null, 1, k / 2, c);
    }

    /** x @ W + b over the last axis. */
    Value linear(String name, Value x, int out, Init init) {
        int in = x.dim(-1);
        float[] wt = switch (init) {
            case RANDOM -> w.xavier(drawName.apply(name + ".w"), in * out, in, out);
            case ZERO -> w.zero(name + ".w", in * out, in);
            case IDENTITY -> throw new IllegalArgumentException("no identity linear: " + name);
        };
        float[] bias = init == Init.ZERO ? w.zero(name + ".b", out, in) : new float[out];
        return b.add(b.matmul(x, b.param(name + ".w", wt, in, out)), b.param(name + ".b", bias, out));
    }

    Value groupNorm(String name, Value x) {
        int c = x.channels();
        int groups = c % 8 == 0 ? 8 : c % 4 == 0 ? 4 : 1;
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

    /** Diffusion ResBlock: GN-SiLU-Conv, + timestep embedding, GN-SiLU-Conv, skip (1x1 if widths differ). */
    Value resBlock(String name, Value x, int cout, Value temb) {
        Value h = conv3x3(name + ".conv1", b.silu(groupNorm(name + ".norm1", x)), cout, Init.RANDOM);
        if (temb != null) {
            Value t = linear(name + ".temb", b.silu(temb), cout, Init.RANDOM);
            h = b.add(h, b.reshape(t, b.ints(0, -1, 1, 1), new int[] {t.dim(0), cout, 1, 1}));
        }
        h = conv3x3(name + ".conv2", b.silu(groupNorm(name + ".norm2", h)), cout, Init.RANDOM);
        Value skip = x.channels() == cout ? x : conv1x1(name + ".skip", x, cout, Init.RANDOM);
        return b.add(skip, h);
    }

    /** Bottleneck residual block whose last 1x1 conv is zero-initialised: the identity at init. */
    Value zeroResBlock(String name, Value x, int width) {
        Value h = conv1x1(name + ".in", x, width, Init.RANDOM);
        h = conv3x3(name + ".mid", b.silu(groupNorm(name + ".norm", h)), width, Init.RANDOM);
        return b.add(x, conv1x1(name + ".out", b.silu(h), x.channels(), Init.ZERO));
    }

    // ---- attention ----

    /** Multi-head self-attention over all H*W positions of an NCHW value, residual. */
    Value spatialSelfAttention(String name, Value x, int heads) {
        int c = x.channels();
        Value tokens = b.transpose(b.reshape(x, b.ints(0, c, -1), new int[] {x.dim(0), c, UNKNOWN}), 0, 2, 1);
        Value y = layerNorm(name + ".norm", tokens);
        Value att = multiHead(name, y, heads, c, false);
        Value out = linear(name + ".proj", att, c, Init.RANDOM);
        Value back = b.reshape(b.transpose(out, 0, 2, 1), b.shape(x), x.shape());
        return b.add(x, back);
    }

    /**
     * softmax(Q K^T / sqrt(d) [+ bias]) V over the second-to-last axis of tokens [..., L, C], heads
     * split from the channels; returns [..., L, C].
     */
    private Value multiHead(String name, Value tokens, int heads, int c, boolean relBias) {
        int dh = c / heads;
        int rank = tokens.rank();
        int l = tokens.dim(-2);
        long[] split = new long[rank + 1];
        for (int i = 0; i < rank - 2; i++) {
            split[i] = 0;
        }
        split[rank - 2] = l == UNKNOWN ? -1 : l;
        split[rank - 1] = heads;
        split[rank] = dh;
        int[] splitShape = new int[rank + 1];
        for (int i = 0; i < rank - 2; i++) {
            splitShape[i] = tokens.dim(i);
        }
        splitShape[rank - 2] = l;
        splitShape[rank - 1] = heads;
        splitShape[rank] = dh;
        // [..., L, heads, dh] -> [..., heads, L, dh]
        int[] perm = new int[rank + 1];
        for (int i = 0; i < rank - 2; i++) {
            perm[i] = i;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        perm[rank] = rank;
        int[] permK = perm.clone();
        permK[rank - 1] = rank;
        permK[rank] = rank - 2;
        Value q = b.transpose(b.reshape(linear(name + ".q", tokens, c, Init.RANDOM), b.ints(split), splitShape), perm);
        Value k = b.transpose(b.reshape(linear(name + ".k", tokens, c, Init.RANDOM), b.ints(split), splitShape), permK);
        Value v = b.transpose(b.reshape(linear(name + ".v", tokens, c, Init.RANDOM), b.ints(split), splitShape), perm);
        Value scores = b.mul(b.matmul(q, k), b.scalar((float) (1 / Math.sqrt(dh))));
        if (relBias) {
            scores = b.add(
                    scores,
                    b.param(name + ".rel_bias", w.gaussian(name + ".rel_bias", heads * l * l, 0.02), heads, l, l));
        }
        Value ctx = b.matmul(b.softmax(scores, -1), v);
        long[] merge = new long[rank];
        for (int i = 0; i < rank - 1; i++) {
            merge[i] = 0;
        }
        merge[rank - 2] = l == UNKNOWN ? -1 : l;
        merge[rank - 1] = c;
        return b.reshape(b.transpose(ctx, perm), b.ints(merge), tokens.shape());
    }

    /**
     * One Swin Transformer block (window attention over ws x ws windows, shifted by {@code shift}
     * when non-zero, then an MLP), on an NCHW value whose H and W are multiples of ws. Windows are cut
     * with SpaceToDepth so H and W stay symbolic. Both residual branches end in zero-initialised
     * projections, so the block is the identity at init. The shifted variant omits Swin's
     * cross-boundary attention mask.
     */
    Value swinBlock(String name, Value x, int ws, int heads, int shift) {
        int c = x.channels();
        int t = ws * ws;
        Value shifted = shift == 0 ? x : b.roll(b.roll(x, 2, -shift), 3, -shift);
        Value windows = b.spaceToDepth(shifted, ws);
        Value tokens =
                b.transpose(b.reshape(windows, b.ints(0, t, c, -1), new int[] {x.dim(0), t, c, UNKNOWN}), 0, 3, 1, 2);
        Value att = multiHead(name + ".attn", layerNorm(name + ".norm1", tokens), heads, c, true);
        tokens = b.add(tokens, linear(name + ".attn.proj", att, c, Init.ZERO));
        Value mlp = b.gelu(linear(name + ".mlp.fc1", layerNorm(name + ".norm2", tokens), 2 * c, Init.RANDOM));
        tokens = b.add(tokens, linear(name + ".mlp.fc2", mlp, c, Init.ZERO));
        Value back = b.depthToSpace(
                b.reshape(b.transpose(tokens, 0, 2, 3, 1), b.shape(windows), windows.shape()), ws, "DCR");
        return shift == 0 ? back : b.roll(b.roll(back, 2, shift), 3, shift);
    }

    /**
     * Eq. 11 TA: self-attention across the T frames at each position; x is [T, C, h, w] (frames on
     * the batch axis). Residual with a zero-initialised output projection.
     */
    Value temporalAttention(String name, Value x, int d) {
        Value q = conv1x1(name + ".q", x, d, Init.RANDOM);
        Value k = conv1x1(name + ".k", x, d, Init.RANDOM);
        Value v = conv1x1(name + ".v", x, d, Init.RANDOM);
        int[] flat = {UNKNOWN, d, UNKNOWN};
        Value qt = b.transpose(b.reshape(q, b.ints(0, d, -1), flat), 2, 0, 1); // [L, T, d]
        Value kt = b.transpose(b.reshape(k, b.ints(0, d, -1), flat), 2, 1, 0); // [L, d, T]
        Value vt = b.transpose(b.reshape(v, b.ints(0, d, -1), flat), 2, 0, 1);
        Value att = b.softmax(b.mul(b.matmul(qt, kt), b.scalar((float) (1 / Math.sqrt(d)))), -1);
        Value ctx = b.transpose(b.matmul(att, vt), 1, 2, 0); // [T, d, L]
        Value spatial = b.reshape(ctx, b.shape(q), q.shape());
        return b.add(x, conv1x1(name + ".out", spatial, x.channels(), Init.ZERO));
    }

    /** Eq. 10 Conv3D over (T, h, w) of x [T, C, h, w], depthwise, identity at init. */
    Value conv3dOverTime(String name, Value x) {
        Value ncthw = b.unsqueeze(b.transpose(x, 1, 0, 2, 3), 0); // [1, C, T, h, w]
        Value y = depthwiseIdentity(name, ncthw, 3, 3);
        return b.transpose(b.squeeze(y, 0), 1, 0, 2, 3);
    }

    /**
     * Eq. 7-8 PCAM: v = softmax(AAP(Conv3x3(Z))) weights K learned prompts, P_C = Conv3x3(resize(sum
     * v_k P_k)), then Conv3x3(Transformer(Cat(Z, P_C))) added back to Z through a zero-initialised
     * last conv. The Transformer is a transposed (channel) attention block, as in PromptIR, so its
     * cost is linear in H*W.
     */
    Value pcam(String name, Value z, int prompts, int promptChannels, int promptSize, int width) {
        Value logits = b.globalAveragePool(conv3x3(name + ".weigh", z, prompts, Init.RANDOM));
        Value v = b.softmax(b.reshape(logits, b.ints(0, prompts), new int[] {z.dim(0), prompts}), -1);
        int plen = promptChannels * promptSize * promptSize;
        Value p = b.param(
                name + ".prompts", w.gaussian(drawName.apply(name + ".prompts"), prompts * plen, 1.0), prompts, plen);
        Value mixed = b.reshape(b.matmul(v, p), b.ints(0, promptChannels, promptSize, promptSize), new int[] {
            z.dim(0), promptChannels, promptSize, promptSize
        });
        Value pc = conv3x3(name + ".pc", b.resizeLike(mixed, z), promptChannels, Init.RANDOM);
        Value t = conv1x1(name + ".in", b.concat(1, z, pc), width, Init.RANDOM);
        t = b.add(t, transposedAttention(name + ".attn", groupNorm(name + ".norm1", t)));
        Value ffn = conv1x1(
                name + ".ffn2",
                b.gelu(conv1x1(name + ".ffn1", groupNorm(name + ".norm2", t), 2 * width, Init.RANDOM)),
                width,
                Init.RANDOM);
        t = b.add(t, ffn);
        return b.add(z, conv3x3(name + ".out", t, z.channels(), Init.ZERO));
    }

    /** Attention across channels (d x d scores) with L2-normalised queries and keys. */
    private Value transposedAttention(String name, Value x) {
        int d = x.channels();
        int[] flat = {x.dim(0), d, UNKNOWN};
        Value q = b.lpNormalize(b.reshape(conv1x1(name + ".q", x, d, Init.RANDOM), b.ints(0, d, -1), flat), -1);
        Value k = b.lpNormalize(b.reshape(conv1x1(name + ".k", x, d, Init.RANDOM), b.ints(0, d, -1), flat), -1);
        Value v = b.reshape(conv1x1(name + ".v", x, d, Init.RANDOM), b.ints(0, d, -1), flat);
        Value att = b.softmax(b.mul(b.matmul(q, b.transpose(k, 0, 2, 1)), b.scalar(4f)), -1);
        Value out = b.reshape(b.matmul(att, v), b.shape(x), x.shape());
        return conv1x1(name + ".proj", out, d, Init.RANDOM);
    }
}
