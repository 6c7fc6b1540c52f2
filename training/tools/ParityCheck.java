// Developer check, outside the Maven build: runs a model directory's parity fixtures
// (parity/<stage>.json, written by export) through ONNX Runtime Java and prints the max abs error
// per output. The Maven build's parity tests are the real gate; this needs no build:
//   java --enable-native-access=ALL-UNNAMED -cp ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.29.0/onnxruntime-1.29.0.jar \
//     training/tools/ParityCheck.java MODEL_DIR dcm vae_encoder unet vae_decoder
// (The fixture JSON is read with a pattern that fits export.write_parity's layout, not a JSON parser.)
import ai.onnxruntime.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;
import java.util.regex.*;

public class ParityCheck {
    record Spec(String name, long[] shape, String dtype, String file) {}

    static List<Spec> section(String json, String key) {
        int start = json.indexOf("\"" + key + "\"");
        int end = key.equals("inputs") ? json.indexOf("\"outputs\"") : json.indexOf("\"tolerance\"");
        String part = json.substring(start, end);
        Matcher m = Pattern.compile("\"([A-Za-z0-9_]+)\": \\{\\s*\"shape\": \\[([^\\]]*)\\],\\s*\"dtype\": \"(\\w+)\",\\s*\"file\": \"([^\"]+)\"").matcher(part);
        List<Spec> out = new ArrayList<>();
        while (m.find()) {
            String dims = m.group(2).trim();
            long[] shape = dims.isEmpty() ? new long[0] : Arrays.stream(dims.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
            out.add(new Spec(m.group(1), shape, m.group(3), m.group(4)));
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int a = 1; a < args.length; a++) {
            String stage = args[a];
            String json = Files.readString(dir.resolve("parity").resolve(stage + ".json"));
            Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
            for (Spec s : section(json, "inputs")) {
                ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("parity").resolve(s.file()))).order(ByteOrder.LITTLE_ENDIAN);
                inputs.put(s.name(), s.dtype().equals("int64")
                        ? OnnxTensor.createTensor(env, bb.asLongBuffer(), s.shape())
                        : OnnxTensor.createTensor(env, bb.asFloatBuffer(), s.shape()));
            }
            OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
            opts.setIntraOpNumThreads(1);
            long t0 = System.nanoTime();
            try (OrtSession session = env.createSession(dir.resolve(stage + ".onnx").toString(), opts);
                 OrtSession.Result result = session.run(inputs)) {
                long t1 = System.nanoTime();
                for (Spec s : section(json, "outputs")) {
                    FloatBuffer want = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("parity").resolve(s.file()))).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                    OnnxTensor got = (OnnxTensor) result.get(s.name()).get();
                    FloatBuffer g = got.getFloatBuffer();
                    double max = 0, maxRef = 0;
                    if (g.remaining() != want.remaining()) throw new IllegalStateException(stage + "." + s.name() + " size " + g.remaining() + " vs " + want.remaining());
                    for (int i = 0; i < want.remaining(); i++) {
                        max = Math.max(max, Math.abs(g.get(i) - want.get(i)));
                        maxRef = Math.max(maxRef, Math.abs(want.get(i)));
                    }
                    System.out.printf("%s.%s shape %s max abs err %.3g (max |ref| %.3g) run %.0f ms%n", stage, s.name(), Arrays.toString(got.getInfo().getShape()), max, maxRef, (t1 - t0) / 1e6);
                }
            }
        }
    }
}
