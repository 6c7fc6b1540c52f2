package org.sdatc.enhancer.engine.onnx;

/**
 * How the ONNX Runtime sessions run.
 *
 * @param provider AUTO (CUDA when it loads, else CPU with one log line), CPU, or CUDA (fail if
 *     unavailable)
 * @param deviceId CUDA device ordinal
 * @param gpuMemLimitBytes CUDA arena limit; 0 for ONNX Runtime's default (no limit)
 * @param cudnnConvAlgoSearch EXHAUSTIVE, HEURISTIC or DEFAULT
 * @param tf32 allow TF32 math on Ampere and newer
 * @param intraOpThreads threads per session for one op; 0 for ONNX Runtime's default (all cores)
 * @param spinning whether the intra-op threads spin while waiting for work (ONNX Runtime's
 *     default) instead of sleeping; off here: on 2 cores spinning took 5-17 % more CPU for the same
 *     wall time, CPU the encoder thread and other streams then lack (docs/benchmarks.md)
 */
public record ExecutionConfig(
        Provider provider,
        int deviceId,
        long gpuMemLimitBytes,
        CudnnConvAlgoSearch cudnnConvAlgoSearch,
        boolean tf32,
        int intraOpThreads,
        boolean spinning) {

    public enum Provider {
        AUTO,
        CPU,
        CUDA
    }

    public enum CudnnConvAlgoSearch {
        EXHAUSTIVE,
        HEURISTIC,
        DEFAULT
    }

    public ExecutionConfig {
        if (provider == null) {
            throw new IllegalArgumentException("engine.provider must be one of AUTO, CPU, CUDA");
        }
        if (deviceId < 0) {
            throw new IllegalArgumentException("engine.device-id must be >= 0, got " + deviceId);
        }
        if (gpuMemLimitBytes < 0) {
            throw new IllegalArgumentException("engine.gpu-mem-limit must be >= 0 bytes, got " + gpuMemLimitBytes);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("engine.intra-op-threads must be >= 0, got " + intraOpThreads);
        }
        if (cudnnConvAlgoSearch == null) {
            cudnnConvAlgoSearch = CudnnConvAlgoSearch.HEURISTIC;
        }
    }

    /** AUTO provider, device 0, ONNX Runtime's defaults otherwise. */
    public static ExecutionConfig defaults() {
        return new ExecutionConfig(Provider.AUTO, 0, 0, CudnnConvAlgoSearch.HEURISTIC, true, 0, false);
    }

    public static ExecutionConfig cpu(int intraOpThreads) {
        return new ExecutionConfig(Provider.CPU, 0, 0, CudnnConvAlgoSearch.HEURISTIC, true, intraOpThreads, false);
    }

    public ExecutionConfig withProvider(Provider p) {
        return new ExecutionConfig(p, deviceId, gpuMemLimitBytes, cudnnConvAlgoSearch, tf32, intraOpThreads, spinning);
    }
}
