package org.sdatc.enhancer.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FFmpeg's own command-line tools ({@code ffmpeg}, {@code ffprobe}) as child processes: {@code
 * bench}'s reference pipeline, its generated clip and the probe of every output. Separate from the
 * service's media code on purpose: the reference is what a user would run.
 */
final class FfmpegTool {
    private static final Pattern BENCH = Pattern.compile("bench: utime=([0-9.]+)s stime=([0-9.]+)s");
    private final String ffmpeg;
    private final String ffprobe;

    /**
     * @param ffmpeg the ffmpeg binary (a name on PATH or a path); ffprobe is looked for beside it
     * @throws UserError when either is missing
     */
    FfmpegTool(String ffmpeg) {
        this.ffmpeg = ffmpeg;
        Path p = Path.of(ffmpeg);
        Path dir = p.getParent();
        this.ffprobe = dir == null ? "ffprobe" : dir.resolve("ffprobe").toString();
        for (String tool : List.of(this.ffmpeg, this.ffprobe)) {
            try {
                Run r = run(List.of(tool, "-hide_banner", "-version"));
                if (r.exit() != 0) {
                    throw new IOException("exit code " + r.exit());
                }
            } catch (IOException e) {
                throw new UserError("bench needs FFmpeg's command-line tools, but '" + tool
                        + "' cannot be run (" + e.getMessage() + "): install them (Debian/Ubuntu: apt-get install"
                        + " ffmpeg) or point --ffmpeg at the ffmpeg binary (ffprobe is expected beside it)");
            }
        }
    }

    /** The first line of {@code ffmpeg -version}. */
    String version() throws IOException {
        String out = run(List.of(ffmpeg, "-hide_banner", "-version")).output();
        int nl = out.indexOf('\n');
        return (nl < 0 ? out : out.substring(0, nl)).trim();
    }

    /**
     * A moving test pattern ({@code testsrc2}), H.264 in MP4: libx264 veryfast crf 23, one keyframe a
     * second, no B-frames (as a live encoder upstream would send).
     */
    void generate(Path out, int width, int height, int fps, double seconds) throws IOException {
        check(
                run(List.of(
                        ffmpeg,
                        "-hide_banner",
                        "-nostdin",
                        "-v",
                        "error",
                        "-y",
                        "-f",
                        "lavfi",
                        "-i",
                        "testsrc2=size=" + width + "x" + height + ":rate=" + fps,
                        "-t",
                        Double.toString(seconds),
                        "-c:v",
                        "libx264",
                        "-preset",
                        "veryfast",
                        "-crf",
                        "23",
                        "-g",
                        Integer.toString(fps),
                        "-bf",
                        "0",
                        "-pix_fmt",
                        "yuv420p",
                        out.toString())),
                "generate the test clip " + out);
    }

    /** The reference pipeline's arguments, input and output included. */
    List<String> referenceCommand(Path in, Path out) {
        return List.of(
                ffmpeg,
                "-hide_banner",
                "-nostdin",
                "-nostats",
                "-benchmark",
                "-y",
                "-i",
                in.toString(),
                "-vf",
                "scale=iw*4:ih*4:flags=bicubic",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-pix_fmt",
                "yuv420p",
                out.toString());
    }

    /**
     * One run of the reference pipeline: bicubic x4 ({@code scale} filter) and libx264 veryfast at
     * x264's default CRF (23), every thread setting FFmpeg's own.
     *
     * @return wall seconds (process start to exit) and the CPU seconds FFmpeg reports
     */
    Timed reference(Path in, Path out) throws IOException {
        long t = System.nanoTime();
        Run r = run(referenceCommand(in, out));
        double wall = (System.nanoTime() - t) / 1e9;
        check(r, "run the reference pipeline on " + in);
        Matcher m = BENCH.matcher(r.output());
        double cpu = m.find() ? Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2)) : Double.NaN;
        return new Timed(wall, cpu);
    }

    /** Wall and CPU seconds of one run (CPU NaN when not reported). */
    record Timed(double wallSeconds, double cpuSeconds) {}

    /** Width, height and frame count of a video's first video stream. */
    record Probe(int width, int height, int frames) {}

    Probe probe(Path video) throws IOException {
        Run r = run(List.of(
                ffprobe,
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-count_packets",
                "-show_entries",
                "stream=width,height,nb_read_packets",
                "-of",
                "csv=p=0",
                video.toString()));
        check(r, "probe " + video);
        String[] f = r.output().trim().split(",");
        try {
            return new Probe(
                    Integer.parseInt(f[0].trim()), Integer.parseInt(f[1].trim()), Integer.parseInt(f[2].trim()));
        } catch (RuntimeException e) {
            throw new IOException("ffprobe gave no video stream for " + video + ": '"
                    + r.output().trim() + "'");
        }
    }

    private record Run(int exit, String output) {}

    private static Run run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(command))
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within 10 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + command.get(0), e);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void check(Run r, String what) throws IOException {
        if (r.exit() != 0) {
            String out = r.output().strip();
            String tail = out.length() > 2000 ? out.substring(out.length() - 2000) : out;
            throw new IOException("ffmpeg could not " + what + " (exit " + r.exit() + "): " + tail);
        }
    }
}
