package org.sdatc.enhancer.engine.sdatc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sdatc.enhancer.engine.CompressionHints;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.EnhancerException;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.engine.StageTimings;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.engine.color.ColorCorrection;
import org.sdatc.enhancer.engine.flow.DisFlowSource;
import org.sdatc.enhancer.engine.flow.FlowGuidance;
import org.sdatc.enhancer.engine.flow.FlowPair;
import org.sdatc.enhancer.engine.flow.FlowSource;
import org.sdatc.enhancer.engine.flow.ModelFlowSource;
import org.sdatc.enhancer.engine.flow.MotionVectorFlowSource;
import org.sdatc.enhancer.engine.onnx.ModelContractException;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.onnx.StageSession;
import org.sdatc.enhancer.engine.sampler.BetaSchedule;
import org.sdatc.enhancer.engine.sampler.DdimSampler;
import org.sdatc.enhancer.engine.sampler.DpmSolverPlusPlus2M;
import org.sdatc.enhancer.engine.sampler.GaussianNoise;
import org.sdatc.enhancer.engine.sampler.NoisePredictor;
import org.sdatc.enhancer.engine.sampler.NoiseSchedule;
import org.sdatc.enhancer.engine.sampler.PredictionType;
import org.sdatc.enhancer.engine.sampler.Sampler;
import org.sdatc.enhancer.engine.sampler.SchedulerConfig;
import org.sdatc.enhancer.engine.sampler.StepHook;
import org.sdatc.enhancer.engine.sampler.TimestepSpacing;
import org.sdatc.enhancer.tensor.Image;
import org.sdatc.enhancer.tensor.MotionField;
import org.sdatc.enhancer.tensor.Tensor;
import org.sdatc.enhancer.tensor.Tensors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDATC engine (paper section 3) on ONNX Runtime. Per window of T low-quality frames, per tile:
 *
 * <ol>
 *   <li>DCM, Eq. 5: x_HR = Up(RSTB(Conv(x_LQ))) on the T frames as a batch;
 *   <li>VAE encoder on x_HR in [-1, 1]: condition latents c (times the manifest's scaling factor)
 *       and the encoder features CFW reads;
 *   <li>sampler (DDIM or DPM-Solver++ 2M) from c noised to the first timestep with noise seeded
 *       by {@code WindowId.seed()}: the UNet + ControlNet + PCAM of Eq. 6-8 predicts on all T
 *       frames at once; after every step Eq. 13-14 (flow-guided latent correction) moves the
 *       latents against the gradient of their flow warping error, with flows from the
 *       low-resolution frames (sdatc.engine.flow: OpenCV DIS; the decoder's motion vectors from
 *       {@link WindowInput#motion()}, DIS for pairs without them; or the model's flow stage)
 *       resized to latent size and occlusion masks;
 *   <li>VAE decoder with PCAM, STAM (Eq. 9-11) and CFW (Eq. 12, weight w) over the T frames;
 *   <li>tiles blended, then the colour fix (AdaIN by default) against the low-quality frame.
 * </ol>
 *
 * <p><b>Stitching.</b> The carry out holds the final latents of the window's <em>last</em> frame
 * (frame T-1) and that frame at low resolution. The next window ties its <em>first</em> frame to
 * them through FlowGuidance's boundary terms, with flow computed between the two
 * low-resolution frames (by DIS for the motion-vector source: the carried frame has no vectors
 * towards this window's first frame). With {@code WindowPlanner}'s overlap of {@code context} frames, the next
 * window's first frame is this window's frame T - context (for context 2: the carried frame is
 * s5, the next window starts at s4, so the flow runs one frame backwards in time); with context
 * 0 it is the frame right after. Either way the pair is a genuine (a, b) frame pair with measured
 * flow, so the engine needs no knowledge of the planner. A carry from another model, frame size
 * or tile grid is ignored (the window runs unstitched).
 *
 * <p><b>Padding.</b> Each tile is extended to the manifest's image multiple with real neighbouring
 * pixels where the frame has them and edge pixels beyond the frame; outputs are cropped back.
 *
 * <p>Thread-safe: sessions, samplers, flow source and colour fix are shared and stateless; all
 * per-stream state travels in the carry.
 *
 * <p>With reference-tiny (an initialisation that makes every stage the identity around bicubic),
 * the output is a bicubic x4 upscale by construction, not the paper's quality.
 */
public final class SdatcEnhancer implements Enhancer {
    private static final Logger LOG = LoggerFactory.getLogger(SdatcEnhancer.class);
    private final OnnxSessions sessions;
    private final boolean ownsSessions;
    private final SdatcOptions options;
    private final ModelManifest manifest;
    private final NoiseSchedule schedule;
    /** The options' strength within the model's start timestep (recipe.start_timestep). */
    private final double strength;

    private final Sampler sampler;
    private final FlowSource flowSource;
    private final FlowGuidance guidance;
    private final ColorCorrection colorFix;
    private final float cfwWeight;
    private final EnhancerInfo info;

    SdatcEnhancer(OnnxSessions sessions, boolean ownsSessions, SdatcOptions options) {
        this(sessions, ownsSessions, options, null);
    }

    /**
     * @param givenFlows flows to guide with instead of the source {@code options.flowSource()}
     *     names (a parity fixture's known flows); null for the options' source
     */
    SdatcEnhancer(OnnxSessions sessions, boolean ownsSessions, SdatcOptions options, FlowSource givenFlows) {
        this.sessions = sessions;
        this.ownsSessions = ownsSessions;
        this.options = options;
        this.manifest = sessions.manifest();
        if (manifest.imageMultiple() % manifest.scale() != 0) {
            throw new ModelContractException("model " + manifest.name() + ": latent_downsample * latent_multiple = "
                    + manifest.imageMultiple() + " must be a multiple of scale " + manifest.scale());
        }
        this.schedule = new NoiseSchedule(schedulerConfig(manifest));
        this.strength = options.strength() * manifest.startStrength();
        this.sampler = switch (options.sampler()) {
            case DDIM -> new DdimSampler(schedule, options.eta());
            case DPMPP_2M -> new DpmSolverPlusPlus2M(schedule);
        };
        // Validates steps against strength and the schedule now, not on the first window.
        schedule.timesteps(options.steps(), strength);
        this.flowSource = givenFlows != null
                ? givenFlows
                : switch (options.flowSource()) {
                    case DIS -> new DisFlowSource(options.disPreset());
                    case MOTION_VECTORS -> new MotionVectorFlowSource(new DisFlowSource(options.disPreset()));
                    case MODEL ->
                        new ModelFlowSource(sessions.flow()
                                .orElseThrow(() -> new ModelContractException("model " + manifest.name() + " in "
                                        + sessions.model().dir() + " has no \"" + ModelStage.FLOW.key()
                                        + "\" stage, which sdatc.engine.flow=model needs: add a flow graph to its manifest's"
                                        + " stages (docs/model-contract.md) or set sdatc.engine.flow to dis or"
                                        + " motion-vectors")));
                    case NONE -> null;
                };
        this.guidance = new FlowGuidance(options.guidance());
        this.colorFix = options.colorFix().create();
        this.cfwWeight = (float) (Double.isNaN(options.cfwWeight()) ? manifest.cfwWeight() : options.cfwWeight());
        this.info = new EnhancerInfo(
                "sdatc/" + manifest.name() + "@" + manifest.version(),
                manifest.scale(),
                options.steps(),
                sessions.provider().name().toLowerCase(java.util.Locale.ROOT),
                Tier.FULL);
    }

    private static SchedulerConfig schedulerConfig(ModelManifest manifest) {
        ModelManifest.Scheduler s = manifest.scheduler();
        return new SchedulerConfig(
                s.trainTimesteps(),
                switch (s.betaSchedule()) {
                    case LINEAR -> BetaSchedule.LINEAR;
                    case SCALED_LINEAR -> BetaSchedule.SCALED_LINEAR;
                },
                s.betaStart(),
                s.betaEnd(),
                switch (s.predictionType()) {
                    case EPSILON -> PredictionType.EPSILON;
                    case V_PREDICTION -> PredictionType.V_PREDICTION;
                },
                switch (manifest.spacing()) {
                    case LEADING -> TimestepSpacing.LEADING;
                    case TRAILING -> TimestepSpacing.TRAILING;
                    case LINSPACE -> TimestepSpacing.LINSPACE;
                });
    }

    public SdatcOptions options() {
        return options;
    }

    @Override
    public EnhancerInfo info() {
        return info;
    }

    /** Smallest low-resolution frame side the engine takes (DIS flow needs a few 8-pixel patches). */
    public static final int MIN_SIDE = 16;

    @Override
    public boolean wantsMotionVectors() {
        return flowSource instanceof MotionVectorFlowSource;
    }

    @Override
    public WindowOutput enhance(WindowInput input) {
        for (Image frame : input.frames()) {
            if (frame.width() < MIN_SIDE || frame.height() < MIN_SIDE) {
                throw new EnhancerException("stream '" + input.id().streamId() + "' segment "
                        + input.id().sequence()
                        + " window " + input.id().window() + ": frames of " + frame.width() + "x" + frame.height()
                        + " are below the engine's minimum of " + MIN_SIDE + "x" + MIN_SIDE);
            }
        }
        Run run = run(input, false);
        return new WindowOutput(run.frames(), run.carry(), run.timings());
    }

    /**
     * One window's result with the final latents of each tile ([T, C, h, w]) and, when asked for,
     * every frame of the window before the colour fix ([3, H, W] in [0, 1], not clamped); for
     * parity checks and tests.
     */
    record Run(
            List<Image> frames,
            byte[] carry,
            StageTimings timings,
            List<Tile> tiles,
            List<Tensor> latents,
            List<Tensor> window) {}

    Run run(WindowInput input) {
        return run(input, false);
    }

    Run run(WindowInput input, boolean keepWindow) {
        List<Image> frames = input.frames();
        int w = frames.get(0).width();
        int h = frames.get(0).height();
        for (Image f : frames) {
            if (f.width() != w || f.height() != h) {
                throw new EnhancerException("window " + input.id() + " mixes frame sizes " + w + "x" + h + " and "
                        + f.width() + "x" + f.height());
            }
        }
        int scale = manifest.scale();
        StageTimings timings = new StageTimings();
        List<Tile> tiles = Tile.plan(w, h, scale, options.tileSize(), options.tileOverlap());
        Carry previous = usable(Carry.decode(input.carry()), tiles, w, h);
        int frameCount = frames.size();
        int ow = w * scale;
        int oh = h * scale;
        float[][] acc = new float[frameCount][3 * ow * oh];
        float[] weightSum = new float[ow * oh];
        List<Tensor> finalLatents = new ArrayList<>(tiles.size());
        for (int ti = 0; ti < tiles.size(); ti++) {
            Tile tile = tiles.get(ti);
            long seed = tiles.size() == 1
                    ? input.id().seed()
                    : GaussianNoise.derive(input.id().seed(), ti);
            TileResult r = runTile(
                    frames,
                    tile,
                    seed,
                    previous == null ? null : previous.latents().get(ti),
                    previous == null ? null : previous.lastFrame(),
                    timings,
                    input);
            finalLatents.add(r.latents());
            float[] wt = tiles.size() == 1 ? null : tile.weights(w, h, scale, options.tileOverlap());
            accumulate(r.images(), tile, scale, ow, oh, wt, acc, weightSum);
        }
        List<Image> out = new ArrayList<>(input.emitCount());
        for (int i = input.emitStart(); i < input.emitStart() + input.emitCount(); i++) {
            Tensor hr = normalise(acc[i], weightSum, tiles.size() == 1, oh, ow);
            Tensor fixed = hr;
            if (colorFix != null) {
                Tensor lq = frames.get(i).toTensor();
                fixed = timings.time(Stage.COLOR_FIX, () -> colorFix.apply(hr, lq));
            }
            out.add(Image.fromTensor(fixed));
        }
        byte[] carry = null;
        if (flowSource != null) {
            List<Tensor> last = new ArrayList<>(tiles.size());
            for (Tensor z : finalLatents) {
                last.add(Tensors.frame(z, frameCount - 1));
            }
            carry = new Carry(info.model(), frames.get(frameCount - 1), tiles, last).encode();
            if (carry.length > options.carryMaxBytes()) {
                LOG.warn(
                        "window {}: carry of {} bytes exceeds sdatc.carry.max-bytes = {}; the next window runs"
                                + " without stitching. Raise sdatc.carry.max-bytes (and sdatc.max.record.bytes),"
                                + " or use smaller frames or a model with fewer latent channels",
                        input.id(),
                        carry.length,
                        options.carryMaxBytes());
                carry = null;
            }
        }
        List<Tensor> window = null;
        if (keepWindow) {
            window = new ArrayList<>(frameCount);
            for (int i = 0; i < frameCount; i++) {
                window.add(normalise(acc[i], weightSum, tiles.size() == 1, oh, ow));
            }
        }
        return new Run(out, carry, timings, tiles, finalLatents, window);
    }

    private Carry usable(Carry c, List<Tile> tiles, int w, int h) {
        if (c == null || flowSource == null || !c.model().equals(info.model())) {
            return null;
        }
        if (c.lastFrame().width() != w
                || c.lastFrame().height() != h
                || !c.tiles().equals(tiles)) {
            return null;
        }
        return c;
    }

    private record TileResult(Tensor images, Tensor latents) {}

    private TileResult runTile(
            List<Image> frames,
            Tile tile,
            long seed,
            Tensor previousLatents,
            Image previousFrame,
            StageTimings timings,
            WindowInput input) {
        int scale = manifest.scale();
        int mult = manifest.imageMultiple() / scale;
        int pw = roundUp(tile.width(), mult);
        int ph = roundUp(tile.height(), mult);
        int t = frames.size();
        List<Image> crops = new ArrayList<>(t);
        for (Image f : frames) {
            crops.add(cropPad(f, tile, pw, ph));
        }
        Tensor lq = Tensor.zeros(t, 3, ph, pw);
        for (int i = 0; i < t; i++) {
            crops.get(i).writeInto(lq.data(), i * 3 * ph * pw);
        }
        Tensor restored = timings.time(
                Stage.DCM,
                () -> sessions.stage(ModelStage.DCM)
                        .run(StageSession.inputs().put("lq", lq))
                        .get("restored"));
        // Clamped to [0, 1] as training conditions the VAE and UNet on it (conditioning.Restorer).
        float[] img = restored.data();
        for (int i = 0; i < img.length; i++) {
            img[i] = Math.max(0f, Math.min(1f, img[i])) * 2 - 1;
        }
        Map<String, Tensor> enc = timings.time(
                Stage.VAE_ENCODE,
                () -> sessions.stage(ModelStage.VAE_ENCODER)
                        .run(StageSession.inputs().put("image", restored)));
        Tensor condition = enc.get("latent");
        float sf = (float) manifest.latentScalingFactor();
        for (int i = 0; i < condition.data().length; i++) {
            condition.data()[i] *= sf;
        }
        int lh = condition.dim(2);
        int lw = condition.dim(3);

        StepHook hook = StepHook.NONE;
        if (flowSource != null && options.guidance().scale() > 0) {
            FlowGuidance.GuidanceFlows flows = timings.time(Stage.FLOW, () -> {
                List<FlowPair> pairs = flowSource instanceof MotionVectorFlowSource mv
                        ? mv.flows(crops, cropMotion(input.motion(), tile, pw, ph))
                        : flowSource.flows(crops);
                FlowGuidance.Boundary boundary = null;
                if (previousLatents != null) {
                    FlowPair link = flowSource
                            .flows(List.of(cropPad(previousFrame, tile, pw, ph), crops.get(0)))
                            .get(0);
                    boundary = new FlowGuidance.Boundary(previousLatents, link);
                }
                return FlowGuidance.prepare(pairs, lh, lw, boundary);
            });
            hook = guidance.hook(schedule, flows);
        }
        StageSession unet = sessions.stage(ModelStage.UNET);
        Tensor hint = hint(input.hints(), t);
        NoisePredictor predictor = (z, timestep) -> {
            long[] ts = new long[t];
            java.util.Arrays.fill(ts, timestep);
            StageSession.Inputs in = StageSession.inputs()
                    .put("sample", z)
                    .putInt64("timestep", ts)
                    .put("condition", condition);
            if (hint != null) {
                in.put("hint", hint);
            }
            return timings.time(Stage.DENOISE_STEP, () -> unet.run(in).get("model_output"));
        };
        int[] steps = schedule.timesteps(options.steps(), strength);
        StepHook guide = hook;
        Tensor latents = timings.time(Stage.SAMPLER, () -> {
            Tensor start = schedule.noised(condition, steps[0], seed);
            return sampler.sample(predictor, start, steps, GaussianNoise.derive(seed, 1), guide);
        });
        Tensor unscaled = latents.copy();
        for (int i = 0; i < unscaled.data().length; i++) {
            unscaled.data()[i] /= sf;
        }
        StageSession.Inputs decoderIn =
                StageSession.inputs().put("latent", unscaled).put("cfw_weight", new Tensor(new float[] {cfwWeight}, 1));
        for (String f : manifest.encFeatures()) {
            decoderIn.put(f, enc.get(f));
        }
        if (hint != null) {
            decoderIn.put("hint", hint);
        }
        Tensor decoded = timings.time(
                Stage.VAE_DECODE,
                () -> sessions.stage(ModelStage.VAE_DECODER).run(decoderIn).get("image"));
        if (decoded.dim(0) != t || decoded.dim(2) != ph * scale || decoded.dim(3) != pw * scale) {
            throw new EnhancerException("window " + input.id() + ": vae_decoder returned " + decoded + " for " + t
                    + " frames of " + pw * scale + "x" + ph * scale);
        }
        return new TileResult(decoded, latents);
    }

    /** Scale of the hint input: CRF and QP of H.264/H.265 both range over 0..51. */
    static final float HINT_SCALE = 51f;

    /** The value a hint input takes when the segment's encoder said nothing (PCAM's learned "unknown" code). */
    static final float HINT_UNKNOWN = -1f;

    /**
     * The {@code hint} input [frames, 1] for a model with "hint_input": crf / 51, else qp / 51, else
     * -1 (unknown); null for a model without it.
     */
    private Tensor hint(CompressionHints hints, int frames) {
        if (!manifest.hintInput()) {
            return null;
        }
        float v = hints == null
                ? HINT_UNKNOWN
                : hints.crf().isPresent()
                        ? hints.crf().getAsInt() / HINT_SCALE
                        : hints.qp().isPresent() ? hints.qp().getAsInt() / HINT_SCALE : HINT_UNKNOWN;
        float[] d = new float[frames];
        java.util.Arrays.fill(d, v);
        return new Tensor(d, frames, 1);
    }

    /** Adds the tile's decoded images ([-1, 1], padded) into the frame accumulators, in [0, 1]. */
    private static void accumulate(
            Tensor images, Tile tile, int scale, int ow, int oh, float[] wt, float[][] acc, float[] weightSum) {
        int tw = tile.width() * scale;
        int th = tile.height() * scale;
        int pw = images.dim(3);
        int ph = images.dim(2);
        int x0 = tile.x() * scale;
        int y0 = tile.y() * scale;
        float[] d = images.data();
        for (int f = 0; f < acc.length; f++) {
            for (int c = 0; c < 3; c++) {
                int src = (f * 3 + c) * ph * pw;
                int dst = c * oh * ow;
                for (int r = 0; r < th; r++) {
                    for (int k = 0; k < tw; k++) {
                        float v = (d[src + r * pw + k] + 1) * 0.5f;
                        float g = wt == null ? 1 : wt[r * tw + k];
                        acc[f][dst + (y0 + r) * ow + x0 + k] += g * v;
                    }
                }
            }
        }
        for (int r = 0; r < th; r++) {
            for (int k = 0; k < tw; k++) {
                weightSum[(y0 + r) * ow + x0 + k] += wt == null ? 1 : wt[r * tw + k];
            }
        }
    }

    private static Tensor normalise(float[] acc, float[] weightSum, boolean single, int oh, int ow) {
        float[] out = acc.clone();
        if (!single) {
            int plane = oh * ow;
            for (int i = 0; i < out.length; i++) {
                out[i] /= weightSum[i % plane];
            }
        }
        return new Tensor(out, 3, oh, ow);
    }

    /** The tile's region of {@code src}, extended to pw x ph with the frame's pixels, clamped at its edges. */
    static Image cropPad(Image src, Tile tile, int pw, int ph) {
        if (tile.x() == 0 && tile.y() == 0 && pw == src.width() && ph == src.height()) {
            return src;
        }
        byte[] rgb = new byte[pw * ph * 3];
        byte[] s = src.rgb();
        for (int y = 0; y < ph; y++) {
            int sy = Math.min(src.height() - 1, tile.y() + y);
            for (int x = 0; x < pw; x++) {
                int sx = Math.min(src.width() - 1, tile.x() + x);
                System.arraycopy(s, (sy * src.width() + sx) * 3, rgb, (y * pw + x) * 3, 3);
            }
        }
        return new Image(pw, ph, rgb);
    }

    /** The tile's region of each frame's motion field, as {@link #cropPad} cuts the frames; null stays null. */
    private static List<MotionField> cropMotion(List<MotionField> motion, Tile tile, int pw, int ph) {
        if (motion == null) {
            return null;
        }
        List<MotionField> out = new ArrayList<>(motion.size());
        for (MotionField m : motion) {
            out.add(m == null ? null : m.cropPad(tile.x(), tile.y(), pw, ph));
        }
        return out;
    }

    /**
     * The boundary part of Eq. 13 for tile 0 of a window's final latents, measured against the
     * previous window's carry: how far the first frame is from the warped carried latents.
     */
    double boundaryWarpError(byte[] previousCarry, List<Image> frames, Tensor latents) {
        Carry c = Carry.decode(previousCarry);
        if (c == null) {
            throw new IllegalArgumentException("not an SDATC carry");
        }
        Tile tile = c.tiles().get(0);
        int mult = manifest.imageMultiple() / manifest.scale();
        int pw = roundUp(tile.width(), mult);
        int ph = roundUp(tile.height(), mult);
        DisFlowSource dis = new DisFlowSource(options.disPreset());
        List<Image> crops = new ArrayList<>();
        for (Image f : frames) {
            crops.add(cropPad(f, tile, pw, ph));
        }
        FlowPair link = dis.flows(List.of(cropPad(c.lastFrame(), tile, pw, ph), crops.get(0)))
                .get(0);
        FlowGuidance.GuidanceFlows flows = FlowGuidance.prepare(
                dis.flows(crops),
                latents.dim(2),
                latents.dim(3),
                new FlowGuidance.Boundary(c.latents().get(0), link));
        return guidance.warpError(latents, flows).boundaryValue();
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    @Override
    public void close() {
        if (ownsSessions) {
            sessions.close();
        }
    }
}
