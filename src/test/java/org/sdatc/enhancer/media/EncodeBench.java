package org.sdatc.enhancer.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.sdatc.enhancer.tensor.Bicubic;
import org.sdatc.enhancer.tensor.Image;

/**
 * Not a test: the 1080p output encode (RGB to YUV 4:2:0, then libx264 into MPEG-TS, as {@code
 * EncodingSink} runs it) under several encoder settings, interleaved round by round so that load
 * from other processes hits every variant alike; medians of ms/frame, output size and Y-PSNR of the
 * decoded output against the frames given to the encoder (see docs/benchmarks.md).
 *
 * <pre>
 * ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     org.sdatc.enhancer.media.EncodeBench 5 'default=' 'threads=2=threads:2' ...
 * </pre>
 *
 * Each variant is {@code name=} (the defaults) or {@code name=key:value,key:value} with keys {@code
 * preset}, {@code crf}, {@code threads} and {@code params} (x264 options, {@code ;} for {@code :}).
 */
public final class EncodeBench {
    private static final int SEGMENT_FRAMES = 25;

    private EncodeBench() {}

    public static void main(String[] args) throws java.io.IOException {
        if (args[0].equals("dump")) {
            List<Image> f = new ArrayList<>();
            for (Image low : SyntheticClip.generate(480, 270, 5, 7)) {
                f.add(Bicubic.upscale(low, 4));
            }
            java.nio.file.Files.write(
                    java.nio.file.Path.of(args[1]),
                    encode(
                            f,
                            MediaFixtures.regularPts(5, new Rational(25, 1), 0),
                            new Rational(25, 1),
                            parse(args[2])));
            return;
        }
        if (args[0].equals("convert")) {
            convertVariants(Integer.parseInt(args[1]));
            return;
        }
        int rounds = Integer.parseInt(args[0]);
        Map<String, Variant> variants = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            variants.put(args[i].substring(0, eq), parse(args[i].substring(eq + 1)));
        }
        // Bicubic x4 of a moving, textured clip: the kind of frame the service encodes.
        List<Image> frames = new ArrayList<>();
        for (Image low : SyntheticClip.generate(480, 270, 2 * SEGMENT_FRAMES, 7)) {
            frames.add(Bicubic.upscale(low, 4));
        }
        Rational fps = new Rational(25, 1);
        long[] pts = MediaFixtures.regularPts(SEGMENT_FRAMES, fps, 0);
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        Map<String, Integer> bytes = new LinkedHashMap<>();
        var os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int round = -1; round < rounds; round++) {
            for (var v : variants.entrySet()) {
                long t = System.nanoTime();
                long c = os.getProcessCpuTime();
                int size = 0;
                for (int s = 0; s < 2; s++) {
                    size += encode(frames.subList(s * SEGMENT_FRAMES, (s + 1) * SEGMENT_FRAMES), pts, fps, v.getValue())
                            .length;
                }
                double perFrame = (System.nanoTime() - t) / 1e6 / frames.size();
                double cpuPerFrame = (os.getProcessCpuTime() - c) / 1e6 / frames.size();
                if (round >= 0) {
                    ms.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(perFrame);
                    cpu.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(cpuPerFrame);
                }
                bytes.put(v.getKey(), size);
            }
        }
        for (var v : variants.entrySet()) {
            double psnr = psnr(frames.subList(0, SEGMENT_FRAMES), pts, fps, v.getValue());
            System.out.printf(
                    "%-12s wall %6.2f ms/frame  cpu %6.2f ms/frame  %8d bytes/50 frames  Y-PSNR %.2f dB  wall runs %s%n",
                    v.getKey(),
                    median(ms.get(v.getKey())),
                    median(cpu.get(v.getKey())),
                    bytes.get(v.getKey()),
                    psnr,
                    ms.get(v.getKey()).stream()
                            .map(x -> String.format("%.1f", x))
                            .toList());
        }
    }

    /** RGB24 to YUV 4:2:0 with several swscale flag sets: ms/frame and RGB-PSNR after the way back. */
    private static void convertVariants(int rounds) {
        List<Image> frames = new ArrayList<>();
        for (Image low : SyntheticClip.generate(480, 270, 20, 7)) {
            frames.add(Bicubic.upscale(low, 4));
        }
        Map<String, java.util.function.Supplier<FrameScaler>> flags = new LinkedHashMap<>();
        int b = org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
        int acc = org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
        int inp = org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INP;
        flags.put("before: bicubic+acc+fullint", FrameScaler::new);
        flags.put("bicubic+acc, reuse", () -> new FrameScaler(b | acc, true));
        flags.put("bicubic", () -> new FrameScaler(b, false));
        flags.put("bicubic, reuse", () -> new FrameScaler(b, true));
        flags.put("bicubic+fullinp, reuse", () -> new FrameScaler(b | inp, true));
        flags.put(
                "bilinear+fullinp, reuse",
                () -> new FrameScaler(org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR | inp, true));
        flags.put(
                "fastbil+fullinp, reuse",
                () -> new FrameScaler(org.bytedeco.ffmpeg.global.swscale.SWS_FAST_BILINEAR | inp, true));
        flags.put("area+fullinp, reuse (now)", FrameScaler::forEncoding);
        flags.put("acc+fullinp, reuse", () -> new FrameScaler(b | acc | inp, true));
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        for (int round = -1; round < rounds; round++) {
            for (var f : flags.entrySet()) {
                AVFrame yuv = org.bytedeco.ffmpeg.global.avutil.av_frame_alloc();
                try (FrameScaler scaler = f.getValue().get()) {
                    long t = System.nanoTime();
                    for (Image img : frames) {
                        scaler.toYuv420(img, yuv);
                    }
                    if (round >= 0) {
                        ms.computeIfAbsent(f.getKey(), k -> new ArrayList<>())
                                .add((System.nanoTime() - t) / 1e6 / frames.size());
                    }
                } finally {
                    org.bytedeco.ffmpeg.global.avutil.av_frame_free(yuv);
                }
            }
        }
        for (var f : flags.entrySet()) {
            double se = 0;
            long n = 0;
            AVFrame yuv = org.bytedeco.ffmpeg.global.avutil.av_frame_alloc();
            try (FrameScaler there = f.getValue().get();
                    FrameScaler back = new FrameScaler()) {
                for (Image img : frames.subList(0, 5)) {
                    there.toYuv420(img, yuv);
                    Image r = back.toImage(yuv, img.width(), img.height());
                    byte[] a = img.rgb();
                    byte[] c = r.rgb();
                    for (int i = 0; i < a.length; i++) {
                        double d = (a[i] & 0xff) - (c[i] & 0xff);
                        se += d * d;
                        n++;
                    }
                }
            } finally {
                org.bytedeco.ffmpeg.global.avutil.av_frame_free(yuv);
            }
            System.out.printf(
                    "%-28s %6.2f ms/frame  RGB-PSNR of the round trip %.2f dB  runs %s%n",
                    f.getKey(),
                    median(ms.get(f.getKey())),
                    10 * Math.log10(255.0 * 255 / (se / n)),
                    ms.get(f.getKey()));
        }
    }

    /** Encoder settings and how RGB becomes YUV. */
    private record Variant(EncoderSettings settings, String converter) {
        FrameScaler scaler() {
            int acc = org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
            int b = org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
            return switch (converter) {
                case "before" -> new FrameScaler();
                case "accurate" -> new FrameScaler(b | acc, true);
                case "noreuse" -> new FrameScaler(b, false);
                case "now" -> FrameScaler.forEncoding();
                default -> throw new IllegalArgumentException("converter " + converter);
            };
        }
    }

    private static Variant parse(String spec) {
        EncoderSettings d = EncoderSettings.defaults();
        String converter = "now";
        String preset = d.preset();
        int crf = d.crf();
        int threads = d.threads();
        String params = d.x264Params();
        for (String kv : spec.isEmpty() ? new String[0] : spec.split(",")) {
            String[] p = kv.split(":", 2);
            switch (p[0]) {
                case "preset" -> preset = p[1];
                case "crf" -> crf = Integer.parseInt(p[1]);
                case "threads" -> threads = Integer.parseInt(p[1]);
                case "params" -> params = p[1].replace(';', ':');
                case "convert" -> converter = p[1];
                default -> throw new IllegalArgumentException("unknown key " + p[0]);
            }
        }
        return new Variant(new EncoderSettings(d.codecName(), preset, crf, threads, params), converter);
    }

    private static byte[] encode(List<Image> frames, long[] pts, Rational fps, Variant v) {
        try (TsSegmentWriter w = new TsSegmentWriter(
                frames.get(0).width(),
                frames.get(0).height(),
                MediaFixtures.TS,
                fps,
                frames.size(),
                v.settings(),
                v.scaler())) {
            for (int i = 0; i < frames.size(); i++) {
                w.write(frames.get(i), pts[i]);
            }
            return w.finish();
        }
    }

    /** Y-PSNR (BT.709 luma of the RGB frames) of one encoded segment against what went in. */
    private static double psnr(List<Image> frames, long[] pts, Rational fps, Variant s) {
        byte[] ts = encode(frames, pts, fps, s);
        DecodedSegment d = new SegmentDecoder()
                .decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, new DecodeLimits(4096, 4096, 1000, 1 << 30));
        double se = 0;
        long n = 0;
        for (int i = 0; i < frames.size(); i++) {
            byte[] a = frames.get(i).rgb();
            byte[] b = d.frames().get(i).rgb();
            for (int p = 0; p < a.length; p += 3) {
                double ya = luma(a, p);
                double yb = luma(b, p);
                se += (ya - yb) * (ya - yb);
                n++;
            }
        }
        return 10 * Math.log10(255.0 * 255.0 / (se / n));
    }

    private static double luma(byte[] rgb, int p) {
        return 0.2126 * (rgb[p] & 0xff) + 0.7152 * (rgb[p + 1] & 0xff) + 0.0722 * (rgb[p + 2] & 0xff);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
