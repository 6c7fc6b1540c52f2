package org.sdatc.enhancer.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.reference.OnnxGraphBuilder;
import org.sdatc.enhancer.engine.reference.OnnxGraphBuilder.ElemType;
import org.sdatc.enhancer.engine.reference.TestModels;
import org.sdatc.enhancer.engine.reference.Value;

/** Broken model directories fail at load with a message naming the file and tensor or key. */
class ModelDirectoryTest {
    @TempDir
    Path tmp;

    private Path copyOfTiny() throws IOException {
        Path src = TestModels.tiny();
        Path dst = tmp.resolve("model");
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dst.resolve(f.getFileName()));
            }
        }
        return dst;
    }

    private static String failure(Path dir) {
        return assertThrows(ModelContractException.class, () -> ModelDirectory.load(dir))
                .getMessage();
    }

    /** A DCM-like graph: one input x4 to "restored" via DepthToSpace of 48 copies. */
    private static void writeDcm(Path file, String inputName, ElemType type, Object... dims) throws IOException {
        OnnxGraphBuilder b = new OnnxGraphBuilder("dcm");
        Value in = b.input(inputName, type, dims);
        Value x = type == ElemType.FLOAT ? in : b.castToFloat(in);
        if (x.rank() == 3) {
            x = b.unsqueeze(x, 0);
        }
        Value[] copies = new Value[16];
        java.util.Arrays.fill(copies, x);
        b.output(b.depthToSpace(b.concat(1, copies), 4, "DCR"), "restored", ElemType.FLOAT, "N", 3, "H4", "W4");
        OnnxGraphBuilder.save(b.build("broken dcm"), file, Long.MAX_VALUE);
    }

    @Test
    void loadsTheReferenceModelAndReadsItsManifest() {
        ModelDirectory dir = ModelDirectory.load(TestModels.tiny());
        assertAll(
                () -> assertEquals("reference-tiny", dir.manifest().name()),
                () -> assertEquals(4, dir.manifest().scale()),
                () -> assertEquals(5, dir.manifest().windowLength()),
                () -> assertEquals(0.75, dir.manifest().cfwWeight()),
                () -> assertTrue(dir.stagePath(ModelStage.FLOW).isEmpty()));
    }

    @Test
    void missingManifestNamesTheFile() throws IOException {
        Path dir = copyOfTiny();
        Files.delete(dir.resolve("manifest.json"));
        assertTrue(failure(dir).contains("has no manifest.json"));
    }

    @Test
    void badManifestFieldNamesTheKeyAndTheValue() throws IOException {
        Path dir = copyOfTiny();
        Path m = dir.resolve("manifest.json");
        Files.writeString(
                m,
                Files.readString(m).replace("\"beta_schedule\" : \"scaled_linear\"", "\"beta_schedule\" : \"cosine\""));
        String msg = failure(dir);
        assertTrue(msg.contains("scheduler.beta_schedule") && msg.contains("cosine"), msg);
    }

    @Test
    void missingStageFileNamesTheStageAndPath() throws IOException {
        Path dir = copyOfTiny();
        Files.delete(dir.resolve("unet.onnx"));
        String msg = failure(dir);
        assertTrue(msg.contains("stage unet") && msg.contains("unet.onnx") && msg.contains("does not exist"), msg);
    }

    @Test
    void renamedInputNamesTheExpectedAndActualNames() throws IOException {
        Path dir = copyOfTiny();
        writeDcm(dir.resolve("dcm.onnx"), "image", ElemType.FLOAT, "N", 3, "H", "W");
        String msg = failure(dir);
        assertTrue(msg.contains("dcm.onnx") && msg.contains("\"lq\"") && msg.contains("[image]"), msg);
    }

    @Test
    void wrongRankNamesTheTensorAndBothRanks() throws IOException {
        Path dir = copyOfTiny();
        writeDcm(dir.resolve("dcm.onnx"), "lq", ElemType.FLOAT, 3, "H", "W");
        String msg = failure(dir);
        assertTrue(msg.contains("\"lq\"") && msg.contains("expected rank 4") && msg.contains("got rank 3"), msg);
    }

    @Test
    void wrongElementTypeNamesTheTensorAndBothTypes() throws IOException {
        Path dir = copyOfTiny();
        writeDcm(dir.resolve("dcm.onnx"), "lq", ElemType.INT64, "N", 3, "H", "W");
        String msg = failure(dir);
        assertTrue(
                msg.contains("\"lq\"") && msg.contains("expected element type FLOAT") && msg.contains("got INT64"),
                msg);
    }

    @Test
    void fixedSpatialSizeIsRejectedBecauseFramesVaryInSize() throws IOException {
        Path dir = copyOfTiny();
        writeDcm(dir.resolve("dcm.onnx"), "lq", ElemType.FLOAT, "N", 3, 270, 480);
        String msg = failure(dir);
        assertTrue(msg.contains("\"lq\"") && msg.contains("axis 2") && msg.contains("symbolic"), msg);
    }

    @Test
    void bytesThatAreNoOnnxModelNameTheFile() throws IOException {
        Path dir = copyOfTiny();
        Files.writeString(dir.resolve("vae_encoder.onnx"), "this is not a protobuf model");
        String msg = failure(dir);
        assertTrue(msg.contains("vae_encoder.onnx") && msg.contains("not a loadable ONNX model"), msg);
    }
}
