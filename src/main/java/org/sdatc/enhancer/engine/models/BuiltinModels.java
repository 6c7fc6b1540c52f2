package org.sdatc.enhancer.engine.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.sdatc.enhancer.engine.onnx.ModelCache;
import org.sdatc.enhancer.engine.onnx.ModelManifest;
import org.sdatc.enhancer.engine.reference.ReferenceModels;
import org.sdatc.enhancer.engine.reference.ReferenceProfile;

/**
 * The models that come with the service, by name. Trained models live in the repository's
 * {@code models/} folder, which the build puts into the jar; on first use they are copied into the
 * model cache (keyed by a hash of their files, so a new build never reuses a stale copy).
 * {@code reference-tiny} is generated instead (the bicubic-exact wiring model).
 */
public final class BuiltinModels {
    /** The default model: the DCM trained on these machines (models/sdatc-dcm-cpu/MODEL_CARD.md). */
    public static final String DEFAULT = "sdatc-dcm-cpu";

    /** The default lite model: a smaller trained DCM for tier lite (models/sdatc-dcm-lite/MODEL_CARD.md). */
    public static final String LITE = "sdatc-dcm-lite";

    public static final String REFERENCE_TINY = "reference-tiny";

    /** Models shipped as files, in models/NAME/ of the repository and the jar. */
    public static final List<String> SHIPPED = List.of(DEFAULT, LITE);

    private static final ObjectMapper JSON = new ObjectMapper();

    private BuiltinModels() {}

    public static List<String> names() {
        List<String> all = new ArrayList<>(SHIPPED);
        all.add(REFERENCE_TINY);
        return all;
    }

    /** The model directory of built-in model {@code name}, copied or generated under {@code cacheRoot}. */
    public static Path ensure(String name, Path cacheRoot) {
        if (name.equals(REFERENCE_TINY)) {
            return ReferenceModels.ensure(ReferenceProfile.tiny(), cacheRoot);
        }
        if (!SHIPPED.contains(name)) {
            throw new IllegalArgumentException(
                    "no built-in model '" + name + "': choose one of " + names() + ", or set sdatc.model.dir");
        }
        byte[] manifest = resource(name, ModelManifest.FILE_NAME);
        List<String> files = stageFiles(name, manifest);
        MessageDigest sha = sha256();
        sha.update(manifest);
        List<byte[]> contents = new ArrayList<>();
        for (String f : files) {
            byte[] bytes = resource(name, f);
            sha.update(f.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update(bytes);
            contents.add(bytes);
        }
        String key = name + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        return ModelCache.ensure(cacheRoot, key, name, "check that the cache folder is writable", dir -> {
            for (int i = 0; i < files.size(); i++) {
                Files.write(dir.resolve(files.get(i)), contents.get(i));
            }
            Files.write(dir.resolve(ModelManifest.FILE_NAME), manifest);
        });
    }

    private static List<String> stageFiles(String name, byte[] manifest) {
        try {
            JsonNode stages = JSON.readTree(manifest).path("stages");
            List<String> files = new ArrayList<>();
            stages.forEach(v -> files.add(v.asText()));
            // The card travels with the graphs, so `model info` can show it.
            files.add("MODEL_CARD.md");
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("built-in model " + name + ": its manifest.json is not JSON", e);
        }
    }

    private static byte[] resource(String name, String file) {
        String path = "/models/" + name + "/" + file;
        try (InputStream in = BuiltinModels.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("built-in model " + name + " is missing " + path
                        + " on the classpath: rebuild the jar (./mvnw package), which packs the repository's models/");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
