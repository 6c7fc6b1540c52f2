package org.sdatc.enhancer.media;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.sdatc.enhancer.tensor.Image;

/** Shared helpers for the media tests: PSNR, Vid4 frames, regular timestamps, ffprobe. */
final class MediaFixtures {
    static final Rational TS = Rational.MPEGTS_TIME_BASE;
    static final Path VID4 = Path.of(System.getProperty("sdatc.vid4", "/work/shared/data/vid4"));

    private MediaFixtures() {}

    /** PSNR in dB over all RGB samples of two equally long frame lists. */
    static double psnr(List<Image> expected, List<Image> actual) {
        double sse = 0;
        long n = 0;
        for (int f = 0; f < expected.size(); f++) {
            byte[] a = expected.get(f).rgb();
            byte[] b = actual.get(f).rgb();
            for (int i = 0; i < a.length; i++) {
                int d = (a[i] & 0xff) - (b[i] & 0xff);
                sse += d * d;
            }
            n += a.length;
        }
        double mse = sse / n;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** PTS of frame i at the given rate on the 90 kHz clock, starting at {@code start}. */
    static long[] regularPts(int frames, Rational frameRate, long start) {
        long[] pts = new long[frames];
        for (int i = 0; i < frames; i++) {
            pts[i] = start + Math.round(i * 90_000.0 * frameRate.den() / frameRate.num());
        }
        return pts;
    }

    /** The first {@code count} calendar frames, box-downscaled by {@code factor} (720x576 / 4 = 180x144). */
    static List<Image> calendar(int count, int factor) throws IOException {
        List<Image> out = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            BufferedImage src = ImageIO.read(VID4.resolve("calendar")
                    .resolve(String.format("%03d.png", k))
                    .toFile());
            int w = src.getWidth() / factor;
            int h = src.getHeight() / factor;
            byte[] rgb = new byte[w * h * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int[] sum = new int[3];
                    for (int j = 0; j < factor; j++) {
                        for (int i = 0; i < factor; i++) {
                            int p = src.getRGB(x * factor + i, y * factor + j);
                            sum[0] += (p >> 16) & 0xff;
                            sum[1] += (p >> 8) & 0xff;
                            sum[2] += p & 0xff;
                        }
                    }
                    for (int c = 0; c < 3; c++) {
                        rgb[(y * w + x) * 3 + c] = (byte) Math.round(sum[c] / (double) (factor * factor));
                    }
                }
            }
            out.add(new Image(w, h, rgb));
        }
        return out;
    }

    static boolean hasVid4() {
        return Files.isRegularFile(VID4.resolve("calendar/001.png"));
    }

    static boolean hasFfprobe() {
        try {
            return run(List.of("ffprobe", "-version")).startsWith("ffprobe");
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs an external tool and returns its standard output; fails on a non-zero exit. */
    static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(command + " failed: " + err);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The keyframe flag of each video packet of an MPEG-TS payload, in stream order (demuxer only). */
    static List<Boolean> keyFlags(byte[] ts) {
        List<Boolean> flags = new ArrayList<>();
        try (MemoryInput in = MemoryInput.open(ts, "mpegts", "MPEG-TS");
                VideoReader reader = new VideoReader(in.format(), "test segment", Long.MAX_VALUE)) {
            org.bytedeco.ffmpeg.avcodec.AVPacket packet = org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc();
            while (org.bytedeco.ffmpeg.global.avformat.av_read_frame(in.format(), packet) >= 0) {
                if (packet.stream_index() == reader.stream().index()) {
                    flags.add((packet.flags() & org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY) != 0);
                }
                org.bytedeco.ffmpeg.global.avcodec.av_packet_unref(packet);
            }
            org.bytedeco.ffmpeg.global.avcodec.av_packet_free(packet);
        }
        return flags;
    }

    /** The PTS of every video frame ffprobe decodes from a file, in its stream time base. */
    static List<Long> probeFramePts(Path file) throws IOException {
        String csv = run(List.of(
                "ffprobe",
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "frame=pts",
                "-of",
                "csv=p=0",
                file.toString()));
        // Frames with side data print an extra empty section: keep the lines that hold a number.
        return csv.lines()
                .map(l -> l.replace(",", "").trim())
                .filter(l -> !l.isEmpty())
                .map(Long::parseLong)
                .toList();
    }
}
