package org.sdatc.enhancer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SegmentJoiner;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.tensor.Image;

/** What eval accepts as ground truth, and the errors (naming the file and the fix) for what it refuses. */
class GroundTruthReaderTest {
    @TempDir
    Path dir;

    private final GroundTruthReader reader = new GroundTruthReader(new Rational(25, 1), Integer.MAX_VALUE);

    @Test
    void aFolderOfPngFramesIsReadInNumberOrderAtTheGivenFrameRate() throws Exception {
        List<Image> clip = SyntheticClip.generate(64, 64, 12, 3);
        Path folder = Files.createDirectories(dir.resolve("walk"));
        for (int i = 0; i < clip.size(); i++) {
            // 1.png ... 12.png: by name alone 10.png would come before 2.png.
            EvalFixtures.writePng(folder.resolve((i + 1) + ".png"), clip.get(i));
        }

        GroundTruth gt = reader.read(folder);

        assertEquals("walk", gt.name());
        assertEquals(12, gt.frameCount());
        assertEquals(new Rational(25, 1), gt.frameRate());
        for (int i = 0; i < clip.size(); i++) {
            assertTrue(
                    java.util.Arrays.equals(
                            clip.get(i).rgb(), gt.frames().get(i).rgb()),
                    "frame " + (i + 1));
        }
        assertEquals(12, reader.probe(folder).frames());
    }

    @Test
    void aVideoFileIsReadWithItsOwnFrameRateAndTheFirstFramesWhenLimited() throws Exception {
        Path video = dir.resolve("pan.mp4");
        try (SegmentJoiner joiner = new SegmentJoiner(video)) {
            for (var s : SegmentCutter.cut(
                    SyntheticClip.generate(64, 64, 10, 5),
                    new Rational(30, 1),
                    1.0,
                    new EncoderSettings("libx264", "veryfast", 10))) {
                joiner.append(s.payload());
            }
        }

        GroundTruth gt = new GroundTruthReader(new Rational(25, 1), 8).read(video);

        assertEquals("pan", gt.name());
        assertEquals(8, gt.frameCount());
        assertEquals(30.0, gt.frameRate().toDouble(), 1e-9);
        assertEquals(64, gt.width());
    }

    @Test
    void aMissingFolderIsAnErrorNamingItAndWhatToGiveInstead() {
        Path missing = dir.resolve("no-such-clip");

        var e = assertThrows(EvalInputException.class, () -> reader.probe(missing));

        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("folder of PNG frames"), e.getMessage());
    }

    @Test
    void aFolderWithoutPngFramesSaysSoAndHowToNameThem() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("jpegs"));
        Files.writeString(folder.resolve("001.jpg"), "not a png");

        var e = assertThrows(EvalInputException.class, () -> reader.probe(folder));

        assertTrue(e.getMessage().contains(folder.toString()) && e.getMessage().contains("no .png frames"));
        assertTrue(e.getMessage().contains("001.png"), e.getMessage());
    }

    @Test
    void mixedFrameSizesNameTheOddFrameTheFirstFrameAndBothSizes() throws Exception {
        List<Image> frames = new ArrayList<>(SyntheticClip.generate(96, 64, 6, 1));
        frames.set(3, SyntheticClip.generate(64, 64, 1, 1).get(0));
        Path folder = EvalFixtures.writePngs(dir.resolve("mixed"), frames);

        var probe = assertThrows(EvalInputException.class, () -> reader.probe(folder));
        var read = assertThrows(EvalInputException.class, () -> reader.read(folder));

        for (var e : List.of(probe, read)) {
            String m = e.getMessage();
            assertTrue(m.contains(folder.toString()) && m.contains("mixes frame sizes"), m);
            assertTrue(m.contains("004.png is 64x64") && m.contains("001.png is 96x64"), m);
            assertTrue(m.contains("move 004.png out or resize it"), m);
        }
    }

    @Test
    void aSizeNotDivisibleByFourNamesTheSizeAndTheCropThatFixesIt() throws Exception {
        Path folder = EvalFixtures.writePngs(dir.resolve("odd"), SyntheticClip.generate(130, 96, 5, 2));

        var e = assertThrows(EvalInputException.class, () -> reader.probe(folder));

        String m = e.getMessage();
        assertTrue(m.contains(folder.toString()) && m.contains("130x96"), m);
        assertTrue(m.contains("not divisible by 4"), m);
        assertTrue(m.contains("crop=128:96:0:0"), m);
    }

    @Test
    void aSizeDivisibleByFourWhoseLowResolutionSizeIsOddAsksForMultiplesOfEight() throws Exception {
        Path folder = EvalFixtures.writePngs(dir.resolve("by4"), SyntheticClip.generate(100, 96, 5, 2));

        var e = assertThrows(EvalInputException.class, () -> reader.probe(folder));

        String m = e.getMessage();
        assertTrue(m.contains("25x24") && m.contains("multiples of 8"), m);
        assertTrue(m.contains("crop=96:96:0:0"), m);
    }

    @Test
    void fewerThanFiveFramesIsAnErrorNamingTheClipAndTheMinimum() throws Exception {
        Path folder = EvalFixtures.writePngs(dir.resolve("short"), SyntheticClip.generate(64, 64, 3, 2));

        var e = assertThrows(EvalInputException.class, () -> reader.probe(folder));

        String m = e.getMessage();
        assertTrue(m.contains(folder.toString()) && m.contains("has 3 frames"), m);
        assertTrue(m.contains("at least 5") && m.contains("add frames"), m);
    }

    @Test
    void framesTooSmallForTheEngineAfterTheX4DownAreRefused() throws Exception {
        Path folder = EvalFixtures.writePngs(dir.resolve("tiny"), SyntheticClip.generate(48, 48, 5, 2));

        var e = assertThrows(EvalInputException.class, () -> reader.probe(folder));

        assertTrue(e.getMessage().contains("48x48") && e.getMessage().contains("at least 64x64"), e.getMessage());
    }

    @Test
    void aFileThatIsNotVideoNamesTheFile() throws Exception {
        Path notVideo = Files.writeString(dir.resolve("notes.txt"), "hello");

        var e = assertThrows(EvalInputException.class, () -> reader.probe(notVideo));

        assertTrue(e.getMessage().contains(notVideo.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("folder of PNG frames or a video file"), e.getMessage());
    }

    @Test
    void pngNamesCompareRunsOfDigitsByValue() {
        assertTrue(GroundTruthReader.byNameAndNumber("2.png", "10.png") < 0);
        assertTrue(GroundTruthReader.byNameAndNumber("frame_010.png", "frame_9.png") > 0);
        assertTrue(GroundTruthReader.byNameAndNumber("001.png", "002.png") < 0);
        assertEquals(0, GroundTruthReader.byNameAndNumber("a.png", "a.png"));
    }
}
