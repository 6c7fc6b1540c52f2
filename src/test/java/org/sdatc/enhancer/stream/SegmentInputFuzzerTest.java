package org.sdatc.enhancer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fuzz target's seeds and every input it ever failed on, replayed in CI without Jazzer: each
 * ends as one of the outcomes the processor dead-letters or enhances, never as another exception.
 */
class SegmentInputFuzzerTest {
    @Test
    void theSeedSegmentsDecodeUnderTheFuzzLimits() throws IOException {
        List<Path> seeds = files(SegmentInputFuzzer.SEEDS);
        assertFalse(seeds.isEmpty());
        for (Path seed : seeds) {
            String outcome = SegmentInputFuzzer.outcome(Files.readAllBytes(seed));
            assertTrue(outcome.startsWith("DECODED "), seed + ": " + outcome);
        }
    }

    @Test
    void theSeedPayloadDecodesAsATsSegment() throws IOException {
        for (Path seed : files(SegmentInputFuzzer.PAYLOAD_SEEDS)) {
            String outcome = SegmentInputFuzzer.outcome(SegmentInputFuzzer.asTsSegment(Files.readAllBytes(seed)));
            assertTrue(outcome.startsWith("DECODED "), seed + ": " + outcome);
        }
    }

    @Test
    void bytesThatAreNoVideoSegmentAreMalformedOrInvalid() {
        assertEquals("MALFORMED", SegmentInputFuzzer.outcome(new byte[] {(byte) 0xff}));
        assertEquals("INVALID_SEGMENT", SegmentInputFuzzer.outcome(new byte[0]));
    }

    @Test
    void everyRegressionInputEndsAsAnOutcomeTheProcessorHandles() throws IOException {
        for (Path input : files(SegmentInputFuzzer.REGRESSIONS)) {
            byte[] bytes = Files.readAllBytes(input);
            String outcome = input.getFileName().toString().startsWith("payload-")
                    ? SegmentInputFuzzer.outcome(SegmentInputFuzzer.asTsSegment(bytes))
                    : SegmentInputFuzzer.outcome(bytes);
            assertFalse(outcome.isEmpty(), input.toString());
        }
    }

    @Test
    void aDecodableSegmentDeclaringANegativeFrameCountIsInvalid() throws IOException {
        // Found by the fuzzer (frame_count -1610612737 on the seed): it was taken as "not declared".
        byte[] found = Files.readAllBytes(Path.of(SegmentInputFuzzer.REGRESSIONS, "negative-frame-count-d985baf3.bin"));
        assertEquals("INVALID_SEGMENT", SegmentInputFuzzer.outcome(found));
    }

    private static List<Path> files(String dir) throws IOException {
        Path d = Path.of(dir);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
