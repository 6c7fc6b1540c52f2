package org.sdatc.enhancer.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Not a test: one model's DCM stage under several ONNX Runtime session options (intra-op threads,
 * graph optimisation level, CPU memory arena, memory pattern), interleaved round by round so that
 * load from other processes hits every variant alike; median ms per window of N frames (see
 * docs/benchmarks.md, "ONNX Runtime session options").
 *
 * <pre>
 * ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     org.sdatc.enhancer.engine.onnx.SessionOptionsBench models/sdatc-dcm-lite 256 144 3 15
 * </pre>
 */
public final class SessionOptionsBench {
    private record Variant(
            String name, int threads, OrtSession.SessionOptions.OptLevel opt, boolean arena, boolean pattern) {}

    private SessionOptionsBench() {}

    public static void main(String[] args) throws OrtException {
        Path dir = Path.of(args[0]);
        int w = Integer.parseInt(args[1]);
        int h = Integer.parseInt(args[2]);
        int frames = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        Path graph = ModelDirectory.load(dir).stagePath(ModelStage.DCM).orElseThrow();
        var all = OrtSession.SessionOptions.OptLevel.ALL_OPT;
        List<Variant> variants = List.of(
                new Variant("engine default (all cores, ALL_OPT)", 0, all, true, true),
                new Variant("1 intra-op thread", 1, all, true, true),
                new Variant("2 intra-op threads", 2, all, true, true),
                new Variant("EXTENDED_OPT", 0, OrtSession.SessionOptions.OptLevel.EXTENDED_OPT, true, true),
                new Variant("BASIC_OPT", 0, OrtSession.SessionOptions.OptLevel.BASIC_OPT, true, true),
                new Variant("no CPU arena", 0, all, false, true),
                new Variant("no memory pattern", 0, all, true, false));
        OrtEnvironment env = OrtEnvironments.get();
        long[] shape = {frames, 3, h, w};
        float[] input = new float[frames * 3 * h * w];
        Random random = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = random.nextFloat();
        }
        Map<Variant, OrtSession> sessions = new LinkedHashMap<>();
        for (Variant v : variants) {
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setOptimizationLevel(v.opt());
            if (v.threads() > 0) {
                o.setIntraOpNumThreads(v.threads());
            }
            o.setCPUArenaAllocator(v.arena());
            o.setMemoryPatternOptimization(v.pattern());
            sessions.put(v, env.createSession(graph.toString(), o));
        }
        Map<Variant, List<Double>> times = new LinkedHashMap<>();
        for (int r = 0; r < rounds + 1; r++) {
            for (var e : sessions.entrySet()) {
                long t = System.nanoTime();
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                        OrtSession.Result out = e.getValue().run(Map.of("lq", x))) {
                    out.get(0);
                }
                if (r > 0) { // round 0 warms every session up
                    times.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add((System.nanoTime() - t) / 1e6);
                }
            }
        }
        System.out.printf("%s, %dx%d, windows of %d frames, %d rounds, medians%n", dir, w, h, frames, rounds);
        for (var e : times.entrySet()) {
            double[] ms = e.getValue().stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            System.out.printf(
                    "  %-38s %8.1f ms/window %7.1f ms/frame%n",
                    e.getKey().name(), ms[ms.length / 2], ms[ms.length / 2] / frames);
        }
        for (OrtSession s : sessions.values()) {
            s.close();
        }
    }
}
