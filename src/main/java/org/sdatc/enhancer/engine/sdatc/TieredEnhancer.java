package org.sdatc.enhancer.engine.sdatc;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.Tier;
import org.sdatc.enhancer.engine.WindowInput;
import org.sdatc.enhancer.engine.WindowOutput;
import org.sdatc.enhancer.engine.budget.Ladder;
import org.sdatc.enhancer.engine.budget.Rung;
import org.sdatc.enhancer.engine.budget.TierPolicy;
import org.sdatc.enhancer.engine.dcm.DcmEnhancer;
import org.sdatc.enhancer.engine.onnx.ModelContractException;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.engine.onnx.ModelStage;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's quality tiers: {@code full} when the model has diffusion stages, {@code dcm} (its DCM
 * alone), {@code lite} (the DCM of a second, smaller model, when one is given) and {@code bicubic}.
 * {@link #at(Tier)} gives the enhancer of a tier, so a caller can choose per segment;
 * {@link #enhance} runs the default tier.
 *
 * <p>The default is the requested tier, or with none requested the best <em>trained</em> tier
 * (manifest {@code trained_stages}): a tier whose stages are untrained is never a default, since
 * its output is no improvement. Requesting one explicitly works and logs that it is untrained.
 */
public final class TieredEnhancer implements Enhancer {
    private static final Logger LOG = LoggerFactory.getLogger(TieredEnhancer.class);
    private final OnnxSessions sessions;
    private final OnnxSessions lite;
    private final Map<Tier, Enhancer> tiers;
    private final Set<Tier> trained;
    private final Tier defaultTier;
    private final SdatcOptions options;

    private TieredEnhancer(
            OnnxSessions sessions,
            OnnxSessions lite,
            Map<Tier, Enhancer> tiers,
            Set<Tier> trained,
            Tier defaultTier,
            SdatcOptions options) {
        this.sessions = sessions;
        this.lite = lite;
        this.options = options;
        this.tiers = Collections.unmodifiableMap(tiers);
        this.trained = Collections.unmodifiableSet(trained);
        this.defaultTier = defaultTier;
    }

    /**
     * Loads {@code dir} (and {@code liteDir}) and sets up every tier they support.
     *
     * @param liteDir the lite model, whose DCM runs tier {@code lite}; null for none. Ignored when it
     *     is the same model as {@code dir} (same name and version): its DCM already runs {@code dcm}.
     * @param requested the default tier, or null for the best trained one
     * @throws ModelContractException when a directory breaks the contract or lacks the stages of the
     *     requested tier
     */
    public static TieredEnhancer open(Path dir, Path liteDir, SdatcOptions options, Tier requested) {
        OnnxSessions sessions = OnnxSessions.open(ModelDirectory.load(dir), options.execution());
        OnnxSessions lite = null;
        try {
            if (liteDir != null) {
                ModelDirectory liteModel = ModelDirectory.load(liteDir);
                ModelManifest lm = liteModel.manifest();
                ModelManifest m = sessions.manifest();
                if (!(lm.name().equals(m.name()) && lm.version().equals(m.version()))) {
                    lite = OnnxSessions.open(liteModel, options.execution());
                }
            }
            return over(sessions, lite, options, requested);
        } catch (RuntimeException e) {
            sessions.close();
            if (lite != null) {
                lite.close();
            }
            throw e;
        }
    }

    private static TieredEnhancer over(OnnxSessions sessions, OnnxSessions lite, SdatcOptions options, Tier requested) {
        ModelManifest m = sessions.manifest();
        Map<Tier, Enhancer> tiers = new EnumMap<>(Tier.class);
        java.util.EnumSet<Tier> trained = java.util.EnumSet.of(Tier.BICUBIC);
        if (m.hasDiffusion()) {
            tiers.put(Tier.FULL, new SdatcEnhancer(sessions, false, options));
            if (m.diffusionTrained()) {
                trained.add(Tier.FULL);
            }
        }
        tiers.put(Tier.DCM, new DcmEnhancer(sessions, options.colorFix().create(), Tier.DCM));
        if (m.trained(ModelStage.DCM)) {
            trained.add(Tier.DCM);
        }
        if (lite != null) {
            tiers.put(Tier.LITE, new DcmEnhancer(lite, options.colorFix().create(), Tier.LITE));
            if (lite.manifest().trained(ModelStage.DCM)) {
                trained.add(Tier.LITE);
            }
        }
        tiers.put(Tier.BICUBIC, new BicubicEnhancer(m.scale()));
        Tier chosen;
        if (requested != null) {
            if (!tiers.containsKey(requested)) {
                throw new ModelContractException(
                        requested == Tier.LITE
                                ? "tier lite needs a lite model: set sdatc.model.lite (a built-in model) or"
                                        + " sdatc.model.lite.dir"
                                : "model " + m.name() + " in "
                                        + sessions.model().dir()
                                        + " has no diffusion stages, so it cannot run tier " + requested.tag()
                                        + ": set sdatc.engine.tier to dcm or bicubic, or use a model with vae_encoder, unet and"
                                        + " vae_decoder stages");
            }
            if (!trained.contains(requested)) {
                LOG.warn(
                        "tier {} of model {} is untrained (manifest trained_stages): its output is not an"
                                + " improvement over bicubic",
                        requested.tag(),
                        m.name());
            }
            chosen = requested;
        } else {
            chosen = java.util.Arrays.stream(Tier.values())
                    .filter(t -> tiers.containsKey(t) && trained.contains(t))
                    .findFirst()
                    .orElseThrow();
        }
        LOG.info(
                "model {} {}{}: tiers {}, trained {}, default {}",
                m.name(),
                m.version(),
                lite == null
                        ? ""
                        : " (lite: " + lite.manifest().name() + " "
                                + lite.manifest().version() + ")",
                tiers.keySet(),
                trained,
                chosen.tag());
        return new TieredEnhancer(sessions, lite, tiers, trained, chosen, options);
    }

    /** The enhancer of {@code tier}. */
    public Enhancer at(Tier tier) {
        Enhancer e = tiers.get(tier);
        if (e == null) {
            throw new IllegalArgumentException("model " + sessions.manifest().name() + " has no tier " + tier.tag());
        }
        return e;
    }

    /**
     * The latency ladder from the default tier down ({@link TierPolicy#ladder}): {@code full} at the
     * configured steps and at fewer, then {@code dcm}, {@code lite}, {@code bicubic}, trained tiers
     * only below the default. The fewer-step enhancers share this one's sessions.
     */
    public Ladder ladder() {
        Map<Rung, Enhancer> rungs = new LinkedHashMap<>();
        for (Rung rung : TierPolicy.ladder(available(), this::trained, defaultTier, options.steps())) {
            Enhancer e = rung.tier() == Tier.FULL && rung.steps() != options.steps()
                    ? new SdatcEnhancer(sessions, false, options.withSteps(rung.steps()))
                    : at(rung.tier());
            rungs.put(new Rung(rung.tier(), e.info().steps()), e);
        }
        return new Ladder(rungs);
    }

    public Set<Tier> available() {
        return tiers.keySet();
    }

    /** Whether a tier's stages are all trained (bicubic has none, so it always is). */
    public boolean trained(Tier tier) {
        return trained.contains(tier);
    }

    public Tier defaultTier() {
        return defaultTier;
    }

    public ModelManifest manifest() {
        return sessions.manifest();
    }

    @Override
    public EnhancerInfo info() {
        return at(defaultTier).info();
    }

    @Override
    public boolean wantsMotionVectors() {
        return at(defaultTier).wantsMotionVectors();
    }

    @Override
    public WindowOutput enhance(WindowInput input) {
        return at(defaultTier).enhance(input);
    }

    @Override
    public void close() {
        sessions.close();
        if (lite != null) {
            lite.close();
        }
    }
}
