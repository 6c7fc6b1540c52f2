package org.sdatc.enhancer.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sdatc.enhancer.tensor.Image;

/**
 * Not a test: measurements to run by hand (see the report), kept out of the suite for their length.
 *
 * <pre>
 * ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     org.sdatc.enhancer.media.MediaSoak leak 500     # RSS before/after 500 decode+encode cycles
 * java ... org.sdatc.enhancer.media.MediaSoak bench   # ms/frame at 480x270 and 1920x1080
 * </pre>
 */
public final class MediaSoak {
    private MediaSoak() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("bench")) {
            bench(480, 270, 60);
            bench(1920, 1080, 30);
        } else {
            leak(args.length > 1 ? Integer.parseInt(args[1]) : 500);
        }
    }

    private static void leak(int cycles) throws IOException {
        Rational fps = new Rational(25, 1);
        List<Image> clip = SyntheticClip.generate(480, 270, 25, 1);
        SegmentEncoder encoder = new SegmentEncoder();
        SegmentDecoder decoder = new SegmentDecoder();
        byte[] ts = encoder.encode(
                clip, MediaFixtures.regularPts(25, fps, 0), MediaFixtures.TS, fps, EncoderSettings.defaults());
        // Warm up: natives loaded, allocator arenas and JIT settled.
        for (int i = 0; i < 50; i++) {
            cycle(encoder, decoder, ts, fps);
        }
        System.gc();
        long before = rssKb();
        System.out.println("after warm-up: RSS " + before + " kB");
        for (int i = 1; i <= cycles; i++) {
            cycle(encoder, decoder, ts, fps);
            if (i % 100 == 0) {
                System.gc();
                System.out.println("cycle " + i + ": RSS " + rssKb() + " kB");
            }
        }
        System.gc();
        long after = rssKb();
        System.out.printf(
                "%d decode+encode cycles of 25 frames at 480x270: RSS %d -> %d kB (%+d kB)%n",
                cycles, before, after, after - before);
    }

    private static void cycle(SegmentEncoder encoder, SegmentDecoder decoder, byte[] ts, Rational fps) {
        DecodedSegment d = decoder.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
        encoder.encode(d.frames(), d.pts(), d.timeBase(), fps, EncoderSettings.defaults());
        try {
            decoder.decode(new byte[188 * 4], ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
        } catch (MediaException expected) {
            // Failure paths must free their natives too.
        }
    }

    private static void bench(int width, int height, int frames) {
        Rational fps = new Rational(25, 1);
        List<Image> clip = SyntheticClip.generate(width, height, frames, 2);
        long[] pts = MediaFixtures.regularPts(frames, fps, 0);
        SegmentEncoder encoder = new SegmentEncoder();
        SegmentDecoder decoder = new SegmentDecoder();
        byte[] ts = null;
        for (int i = 0; i < 2; i++) {
            ts = encoder.encode(clip, pts, MediaFixtures.TS, fps, EncoderSettings.defaults());
            decoder.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
        }
        int runs = 3;
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            ts = encoder.encode(clip, pts, MediaFixtures.TS, fps, EncoderSettings.defaults());
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            decoder.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
        }
        long t2 = System.nanoTime();
        System.out.printf(
                "%dx%d, %d frames, x264 veryfast crf 18: encode %.2f ms/frame, decode %.2f ms/frame (RGB out), %d bytes%n",
                width, height, frames, (t1 - t0) / 1e6 / runs / frames, (t2 - t1) / 1e6 / runs / frames, ts.length);
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
