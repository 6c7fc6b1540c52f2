package org.sdatc.enhancer.engine.sdatc;

import java.nio.file.Path;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.onnx.ModelDirectory;
import org.sdatc.enhancer.engine.onnx.OnnxSessions;
import org.sdatc.enhancer.engine.reference.ReferenceModels;
import org.sdatc.enhancer.engine.reference.ReferenceProfile;

/** Builds the SDATC engine. */
public final class SdatcEngine {
    private SdatcEngine() {}

    /**
     * Opens a model directory, or reference-tiny generated into {@code options.modelCache()} when
     * {@code modelDir} is null, and returns an enhancer that owns (and closes) its sessions.
     *
     * @throws org.sdatc.enhancer.engine.onnx.ModelContractException when the directory breaks the
     *     model contract (docs/model-contract.md)
     */
    public static Enhancer open(Path modelDir, SdatcOptions options) {
        Path dir = modelDir != null ? modelDir : ReferenceModels.ensure(ReferenceProfile.tiny(), options.modelCache());
        OnnxSessions sessions = OnnxSessions.open(ModelDirectory.load(dir), options.execution());
        try {
            return new SdatcEnhancer(sessions, true, options);
        } catch (RuntimeException e) {
            sessions.close();
            throw e;
        }
    }

    /** An enhancer over sessions the caller owns (and closes after it). */
    public static SdatcEnhancer over(OnnxSessions sessions, SdatcOptions options) {
        return new SdatcEnhancer(sessions, false, options);
    }
}
