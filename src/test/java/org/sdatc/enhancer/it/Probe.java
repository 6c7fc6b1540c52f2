package org.sdatc.enhancer.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What an independent tool (Debian's ffprobe, installed by .ci/run) sees in a video file: the check
 * does not go through this project's own decoder.
 */
public record Probe(int width, int height, int frames) {
    public static Probe of(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "ffprobe",
                        "-v",
                        "error",
                        "-count_frames",
                        "-select_streams",
                        "v:0",
                        "-show_entries",
                        "stream=width,height,nb_read_frames",
                        "-of",
                        "csv=p=0",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ffprobe failed on " + file + ": " + out);
        }
        String[] parts = out.split(",");
        if (parts.length < 3) {
            throw new IOException("ffprobe printed '" + out + "' for " + file);
        }
        return new Probe(
                Integer.parseInt(parts[0].trim()),
                Integer.parseInt(parts[1].trim()),
                Integer.parseInt(parts[2].trim()));
    }
}
