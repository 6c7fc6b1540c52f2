package org.sdatc.enhancer.eval;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.sdatc.enhancer.tensor.Image;

/** Shared by the eval tests: clips written as PNG folders, and Debian's ffmpeg as an independent check. */
public final class EvalFixtures {
    private EvalFixtures() {}

    /** Writes {@code frames} as {@code 001.png, 002.png, ...} into {@code dir} (created). */
    public static Path writePngs(Path dir, List<Image> frames) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < frames.size(); i++) {
            writePng(dir.resolve(String.format("%03d.png", i + 1)), frames.get(i));
        }
        return dir;
    }

    public static void writePng(Path file, Image image) throws IOException {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                out.setRGB(x, y, image.sample(x, y, 0) << 16 | image.sample(x, y, 1) << 8 | image.sample(x, y, 2));
            }
        }
        ImageIO.write(out, "png", file.toFile());
    }

    /**
     * The ffmpeg binary from PATH or /usr/bin. Skips when it is absent on a developer machine; fails
     * under CI (env CI set), where .ci/run installs it.
     */
    public static Path ffmpeg() {
        Path found = Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                                .filter(d -> !d.isEmpty())
                                .map(d -> Path.of(d, "ffmpeg")),
                        Stream.of(Path.of("/usr/bin/ffmpeg")))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        if (found == null) {
            String message = "the ffmpeg binary is not installed: apt-get update && apt-get install -y"
                    + " --no-install-recommends ffmpeg (.ci/run does this)";
            String ci = System.getenv("CI");
            if (ci == null || ci.isEmpty()) {
                Assumptions.abort(message + "; skipping because CI is unset");
            }
            Assertions.fail(message + "; CI=" + ci + " requires it");
        }
        return found;
    }

    /** Runs a tool, failing the test with its error output on a non-zero exit. */
    public static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assertions.fail(command + " failed:\n" + out);
        }
    }
}
