package org.sdatc.enhancer.stream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.DecodeLimits;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.InterlacedInput;
import org.sdatc.enhancer.media.MediaException;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SegmentDecoder;
import org.sdatc.enhancer.media.SegmentFrames;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.proto.v1.VideoSegment;
import org.sdatc.enhancer.stream.serde.MalformedRecordException;
import org.sdatc.enhancer.stream.serde.Serdes;

/**
 * Coverage-guided fuzz target (Jazzer) for what the stream processor does with an input record
 * before and while decoding: the VideoSegment deserialiser, the segment checks ({@link
 * SegmentProcessor#validate}), the container and codec mapping, the decoder's pre-checks
 * (payload size, MPEG-TS framing, codec, the size the stream header declares, the declared pixel
 * budget) and the frame-by-frame decode under small limits.
 *
 * <p>The processor turns exactly two kinds of failure into dead letters: {@link
 * MalformedRecordException} (the deserialisation handler) and {@link MediaException}; an invalid
 * segment is a dead letter too. Any other exception would fail the stream thread on every restart
 * (a poison pill), so here it is a finding; so is a segment that decodes to another frame count
 * than it declares.
 *
 * <p>Run (bounded; see docs/operations.md, "Fuzzing"): {@code java -cp ... SegmentInputFuzzer
 * [payload] [SECONDS] [jazzer/libFuzzer options]}; {@code payload} fuzzes the MPEG-TS payload of an
 * otherwise valid segment instead of the whole record. {@code SegmentInputFuzzer seeds DIR} writes the seed
 * corpus. {@code SegmentInputFuzzerTest} replays the seeds and every regression in CI, without
 * Jazzer.
 */
public final class SegmentInputFuzzer {
    /** Small enough that any input decodes in milliseconds; the checks are the same at any size. */
    static final int MAX_SIDE = 64;

    static final int MAX_FRAMES = 8;

    static final String SEEDS = "src/test/resources/fuzz/video-segment";
    static final String REGRESSIONS = "src/test/resources/fuzz/video-segment-regressions";
    static final String PAYLOAD_SEEDS = "src/test/resources/fuzz/ts-payload";

    /**
     * Created on first use, not when {@code main} starts: classes loaded before Jazzer's agent is
     * attached would run uninstrumented, without coverage feedback.
     */
    private static final class Target {
        static final Deserializer<VideoSegment> DESERIALIZER =
                Serdes.videoSegment().deserializer();
        static final SegmentDecoder DECODER = new SegmentDecoder(false, InterlacedInput.DEINTERLACE);
    }

    private SegmentInputFuzzer() {}

    /** {@code record} (default): the bytes are a record's value; {@code payload}: an MPEG-TS payload. */
    static final String TARGET_PROPERTY = "sdatc.fuzz.target";

    /** Jazzer's entry point. */
    public static void fuzzerTestOneInput(byte[] data) {
        // Read per input: main sets it after this class is initialised.
        outcome("payload".equals(System.getProperty(TARGET_PROPERTY)) ? asTsSegment(data) : data);
    }

    /**
     * The {@code payload} target: past the deserialiser and the framing check, into FFmpeg's demuxer
     * and decoder and the header checks on what they report. The bytes become the MPEG-TS payload
     * of an otherwise valid segment, cut to whole 188-byte packets each starting with the sync byte
     * (a payload without them is refused before FFmpeg sees it, and mutations rarely keep them).
     */
    static byte[] asTsSegment(byte[] data) {
        int length = Math.max(188, data.length / 188 * 188);
        byte[] ts = java.util.Arrays.copyOf(data, length);
        for (int i = 0; i < length; i += 188) {
            ts[i] = 0x47;
        }
        return VideoSegment.newBuilder()
                .setStreamId("cam-fuzz")
                .setContainer(org.sdatc.enhancer.proto.v1.Container.CONTAINER_MPEGTS)
                .setCodec(org.sdatc.enhancer.proto.v1.Codec.CODEC_H264)
                .setFrameRate(org.sdatc.enhancer.proto.v1.Rational.newBuilder()
                        .setNum(12)
                        .setDen(1))
                .setPayload(com.google.protobuf.ByteString.copyFrom(ts))
                .build()
                .toByteArray();
    }

    /**
     * What the processor would make of {@code value}: {@code MALFORMED}, {@code INVALID_SEGMENT}, a
     * {@link MediaException.Reason} name, or {@code DECODED n}. Throws for anything else.
     */
    static String outcome(byte[] value) {
        VideoSegment segment;
        try {
            segment = Target.DESERIALIZER.deserialize("sdatc-in", value);
        } catch (MalformedRecordException e) {
            return "MALFORMED";
        }
        DecodeLimits limits =
                new DecodeLimits(MAX_SIDE, MAX_SIDE, MAX_FRAMES, 64 * 1024, (long) MAX_SIDE * MAX_SIDE * MAX_FRAMES);
        if (SegmentProcessor.validate(segment.getStreamId(), segment, limits) != null) {
            return "INVALID_SEGMENT";
        }
        try (SegmentFrames frames = Target.DECODER.open(
                segment.getPayload().toByteArray(),
                SegmentProcessor.containerOf(segment.getContainer()),
                SegmentProcessor.codecOf(segment.getCodec()),
                limits,
                segment.getFrameCount())) {
            int n = 0;
            while (frames.next() != null) {
                n++;
            }
            // A segment that decodes must be what it declares: the count is 0 (not declared) or exact.
            if (segment.getFrameCount() < 0 || (segment.getFrameCount() > 0 && segment.getFrameCount() != n)) {
                throw new IllegalStateException("segment declares frame_count " + segment.getFrameCount()
                        + " but was accepted and decoded to " + n + " frames");
            }
            return "DECODED " + n;
        } catch (MediaException e) {
            return e.reason().name();
        }
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 2 && args[0].equals("seeds")) {
            writeSeeds(Path.of(args[1]));
            return;
        }
        if (args.length >= 2 && (args[0].equals("replay") || args[0].equals("replay-payload"))) {
            // Triage: what each input (a crash-* file, a corpus entry) comes to, without Jazzer.
            for (int i = 1; i < args.length; i++) {
                byte[] bytes = Files.readAllBytes(Path.of(args[i]));
                String outcome;
                try {
                    outcome = outcome(args[0].equals("replay") ? bytes : asTsSegment(bytes));
                } catch (RuntimeException e) {
                    outcome = "FINDING " + e;
                }
                System.out.println(args[i] + ": " + outcome);
            }
            return;
        }
        boolean payload = args.length > 0 && args[0].equals("payload");
        if (payload) {
            System.setProperty(TARGET_PROPERTY, "payload");
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        boolean timed = args.length > 0 && args[0].matches("\\d+");
        int seconds = timed ? Integer.parseInt(args[0]) : 300;
        Path work = Path.of("target", "fuzz", payload ? "ts-payload" : "video-segment");
        Path corpus = work.resolve("corpus");
        Path findings = work.resolve("findings");
        Files.createDirectories(corpus);
        Files.createDirectories(findings);
        List<String> jazzer = new ArrayList<>(List.of(
                "--target_class=" + SegmentInputFuzzer.class.getName(),
                "--instrumentation_includes=org.sdatc.**:com.google.protobuf.**",
                "--reproducer_path=" + findings,
                "-max_total_time=" + seconds,
                "-timeout=20",
                "-rss_limit_mb=6144",
                "-max_len=65536",
                "-artifact_prefix=" + findings + "/",
                "-print_final_stats=1"));
        for (int i = timed ? 1 : 0; i < args.length; i++) {
            jazzer.add(args[i]);
        }
        // The first corpus directory gains what the fuzzer finds; the seeds and regressions are read.
        jazzer.add(corpus.toString());
        if (payload) {
            jazzer.add(PAYLOAD_SEEDS);
        } else {
            jazzer.add(SEEDS);
            if (Files.isDirectory(Path.of(REGRESSIONS))) {
                jazzer.add(REGRESSIONS);
            }
        }
        com.code_intelligence.jazzer.Jazzer.main(jazzer.toArray(String[]::new));
    }

    /** Valid segments to start from: MPEG-TS H.264 of 32x32, with and without a declared frame count. */
    private static void writeSeeds(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<CutSegment> cut = SegmentCutter.cut(
                SyntheticClip.generate(32, 32, 6, 3),
                new Rational(12, 1),
                0.25,
                new EncoderSettings("libx264", "veryfast", 30));
        CutSegment first = cut.get(0);
        VideoSegment declared = VideoSegments.of("cam-fuzz", 0, 0, first, 30).toBuilder()
                .setProducerTimestampUs(1_700_000_000_000_000L)
                .build();
        Files.write(dir.resolve("ts-h264-32x32.bin"), declared.toByteArray());
        Path payloads = dir.resolveSibling("ts-payload");
        Files.createDirectories(payloads);
        Files.write(payloads.resolve("h264-32x32.ts"), first.payload());
        Files.write(
                dir.resolve("ts-h264-32x32-no-frame-count.bin"),
                declared.toBuilder().clearFrameCount().setSequence(1).build().toByteArray());
        System.out.println("wrote seeds to " + dir + ": " + cut.size() + " segments cut, first " + first.frameCount()
                + " frames, " + first.payload().length + " bytes");
    }
}
