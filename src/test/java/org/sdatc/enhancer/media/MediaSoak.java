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
 * java ... org.sdatc.enhancer.media.MediaSoak motion 500   # motion vectors: cost vs DIS, RSS over 500 decodes
 * </pre>
 */
public final class MediaSoak {
    private MediaSoak() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("motion")) {
            motion(args.length > 1 ? Integer.parseInt(args[1]) : 500);
        } else if (args.length > 0 && args[0].equals("bench")) {
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

    /**
     * Motion-vector flow at 480x270, 25 frames panning by (2, 1) px: decode time with and without
     * motion export, the engine's conversion of one field to a flow pair, and one DIS pair (both
     * directions, ULTRAFAST) for comparison; then RSS over repeated decodes with motion export.
     */
    private static void motion(int cycles) throws IOException {
        int frames = 25;
        int[][] shifts = new int[frames - 1][];
        java.util.Arrays.fill(shifts, new int[] {2, 1});
        List<Image> clip = SyntheticClip.translating(480, 270, 3, shifts);
        Rational fps = new Rational(25, 1);
        byte[] ts = new SegmentEncoder()
                .encode(
                        clip,
                        MediaFixtures.regularPts(frames, fps, 0),
                        MediaFixtures.TS,
                        fps,
                        EncoderSettings.defaults());
        SegmentDecoder plain = new SegmentDecoder();
        SegmentDecoder withMotion = new SegmentDecoder(true);
        var dis = new org.sdatc.enhancer.engine.flow.DisFlowSource();
        DecodedSegment d = null;
        for (int i = 0; i < 20; i++) {
            plain.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
            d = withMotion.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
            dis.flows(clip.subList(0, 2));
            org.sdatc.enhancer.engine.flow.MotionVectorFlowSource.pair(
                    d.motion().get(1));
        }
        int runs = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            plain.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            d = withMotion.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
        }
        long t2 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            for (int k = 1; k < frames; k++) {
                org.sdatc.enhancer.engine.flow.MotionVectorFlowSource.pair(
                        d.motion().get(k));
            }
        }
        long t3 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            dis.flows(clip);
        }
        long t4 = System.nanoTime();
        double perFrame = 1e6 * runs * frames;
        double perPair = 1e6 * runs * (frames - 1);
        System.out.printf(
                "480x270, %d frames: decode %.3f ms/frame, with motion export %.3f ms/frame (+%.3f);"
                        + " field -> flow pair %.3f ms/pair; total motion vectors %.3f ms/pair;"
                        + " DIS ULTRAFAST both directions %.3f ms/pair%n",
                frames,
                (t1 - t0) / perFrame,
                (t2 - t1) / perFrame,
                (t2 - t1 - (t1 - t0)) / perFrame,
                (t3 - t2) / perPair,
                (t2 - t1 - (t1 - t0)) / perFrame + (t3 - t2) / perPair,
                (t4 - t3) / perPair);
        System.gc();
        long before = rssKb();
        for (int i = 1; i <= cycles; i++) {
            withMotion.decode(ts, ContainerFormat.MPEGTS, VideoCodec.H264, DecodeLimits.defaults());
            if (i % 100 == 0) {
                System.gc();
                System.out.println("decode " + i + " with motion: RSS " + rssKb() + " kB");
            }
        }
        System.gc();
        long after = rssKb();
        System.out.printf(
                "%d decodes of 25 frames with motion export: RSS %d -> %d kB (%+d kB)%n",
                cycles, before, after, after - before);
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
