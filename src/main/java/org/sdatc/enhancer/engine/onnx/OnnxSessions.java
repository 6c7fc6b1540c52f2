package org.sdatc.enhancer.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime sessions of one model directory, loaded once per process and shared by all
 * stream threads. Closing it closes every session; the {@link OrtEnvironment} is ONNX Runtime's
 * process-wide singleton and stays open for other owners.
 */
public final class OnnxSessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);

    /** The execution provider the sessions actually run on. */
    public enum ActiveProvider {
        CPU,
        CUDA
    }

    /** The DCM's contract output. */
    private static final String RESTORED = "restored";

    private final ModelDirectory model;
    private final ActiveProvider provider;
    private final Map<ModelStage, StageSession> stages;

    private OnnxSessions(ModelDirectory model, ActiveProvider provider, Map<ModelStage, StageSession> stages) {
        this.model = model;
        this.provider = provider;
        this.stages = stages;
    }

    /**
     * Opens one session per stage. AUTO tries CUDA and, if it cannot load, logs one line and uses the
     * CPU; CUDA requested explicitly fails with the reason.
     *
     * @throws ModelContractException when a graph breaks the contract
     * @throws IllegalStateException when CUDA was requested and cannot be used
     */
    public static OnnxSessions open(ModelDirectory model, ExecutionConfig config) {
        OrtEnvironment env = OrtEnvironments.get();
        ActiveProvider provider = chooseProvider(config);
        Map<ModelStage, StageSession> stages = new EnumMap<>(ModelStage.class);
        try {
            for (ModelStage stage : ModelStage.values()) {
                Optional<Path> file = model.stagePath(stage);
                if (file.isEmpty()) {
                    continue;
                }
                try (OrtSession.SessionOptions options = options(config, provider)) {
                    Optional<PixelShuffleCut.Cut> cut =
                            stage == ModelStage.DCM ? PixelShuffleCut.of(file.get(), RESTORED) : Optional.empty();
                    // A DCM ending in DepthToSpace runs without it (StageSession shuffles in Java);
                    // ModelDirectory.load checked the file's own graph against the contract.
                    OrtSession session = cut.isPresent()
                            ? env.createSession(cut.get().model(), options)
                            : ModelDirectory.openSession(env, file.get(), options);
                    try {
                        if (cut.isEmpty()) {
                            ModelContract.check(stage, session, file.get(), model.manifest());
                        }
                        stages.put(stage, new StageSession(stage, file.get(), env, session, cut.orElse(null)));
                    } catch (RuntimeException | OrtException e) {
                        session.close();
                        throw e;
                    }
                }
            }
        } catch (OrtException e) {
            stages.values().forEach(StageSession::close);
            throw new IllegalStateException(
                    "cannot create ONNX Runtime sessions for " + model.dir() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            stages.values().forEach(StageSession::close);
            throw e;
        }
        LOG.info(
                "model {} {} loaded from {} on {}",
                model.manifest().name(),
                model.manifest().version(),
                model.dir(),
                provider);
        return new OnnxSessions(model, provider, stages);
    }

    private static ActiveProvider chooseProvider(ExecutionConfig config) {
        if (config.provider() == ExecutionConfig.Provider.CPU) {
            return ActiveProvider.CPU;
        }
        // Probe once with throw-away options: addCUDA fails fast when the CUDA libraries are absent.
        try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
            probe.addCUDA(cudaOptions(config));
            return ActiveProvider.CUDA;
        } catch (OrtException | RuntimeException e) {
            if (config.provider() == ExecutionConfig.Provider.CUDA) {
                throw new IllegalStateException(
                        "engine.provider=CUDA but the CUDA execution provider cannot be used: "
                                + e.getMessage()
                                + ". Build with -Pgpu (onnxruntime_gpu), install CUDA 12 and cuDNN 9, or set engine.provider=AUTO or CPU",
                        e);
            }
            LOG.warn(
                    "CUDA execution provider unavailable ({}); running ONNX models on the CPU",
                    firstLine(e.getMessage()));
            return ActiveProvider.CPU;
        }
    }

    private static OrtCUDAProviderOptions cudaOptions(ExecutionConfig c) throws OrtException {
        OrtCUDAProviderOptions o = new OrtCUDAProviderOptions(c.deviceId());
        if (c.gpuMemLimitBytes() > 0) {
            o.add("gpu_mem_limit", Long.toString(c.gpuMemLimitBytes()));
        }
        o.add("cudnn_conv_algo_search", c.cudnnConvAlgoSearch().name());
        o.add("use_tf32", c.tf32() ? "1" : "0");
        return o;
    }

    private static OrtSession.SessionOptions options(ExecutionConfig c, ActiveProvider provider) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (c.intraOpThreads() > 0) {
            o.setIntraOpNumThreads(c.intraOpThreads());
        }
        o.addConfigEntry("session.intra_op.allow_spinning", c.spinning() ? "1" : "0");
        if (provider == ActiveProvider.CUDA) {
            o.addCUDA(cudaOptions(c));
        }
        return o;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no reason given";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public ModelManifest manifest() {
        return model.manifest();
    }

    public ModelDirectory model() {
        return model;
    }

    public ActiveProvider provider() {
        return provider;
    }

    /** The session of a required stage. */
    public StageSession stage(ModelStage stage) {
        StageSession s = stages.get(stage);
        if (s == null) {
            throw new IllegalArgumentException(
                    "model " + model.manifest().name() + " has no " + stage.key() + " stage");
        }
        return s;
    }

    /** The optional flow stage, when the model ships one. */
    public Optional<StageSession> flow() {
        return Optional.ofNullable(stages.get(ModelStage.FLOW));
    }

    @Override
    public void close() {
        stages.values().forEach(StageSession::close);
    }
}
