package org.sdatc.enhancer.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sdatc.enhancer.app.kafka.SegmentPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code produce}: feeds a video file to the input topic as GOP segments, as a live encoder would. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Cut a video into closed-GOP segments and send them to the input topic at live pace.")
public final class ProduceCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description = "Video file (any format FFmpeg reads). Default: a generated clip.")
    Path input;

    @Option(names = "--stream-id", defaultValue = "camera-1", description = "Stream id (the record key).")
    String streamId;

    @Option(names = "--segment-seconds", defaultValue = "1.0", description = "GOP segment length in seconds.")
    double segmentSeconds;

    @Option(names = "--width", defaultValue = "480", description = "Width of the low-resolution stream.")
    int width;

    @Option(names = "--height", defaultValue = "270", description = "Height of the low-resolution stream.")
    int height;

    @Option(names = "--crf", defaultValue = "28", description = "x264 CRF of the low-resolution stream.")
    int crf;

    @Option(names = "--seconds", defaultValue = "10", description = "Length of the generated clip (no --input).")
    double seconds;

    @Option(names = "--no-pace", description = "Send as fast as possible instead of at live pace.")
    boolean noPace;

    @Option(names = "--loop", description = "Start the input again when it ends, forever (sequence numbers go on).")
    boolean loop;

    @Option(
            names = "--epoch",
            paramLabel = "N",
            description = "Producer session (VideoSegment.epoch). Default: this run's start time in ms, so a rerun"
                    + " that numbers the stream from 0 again is followed, not skipped as duplicates.")
    Long epoch;

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = common.load(Map.of());
        long session = epoch != null ? epoch : System.currentTimeMillis();
        try {
            SegmentPublisher.requireTopic(
                    config.bootstrapServers(),
                    config.kafkaOverrides(),
                    config.stream().inputTopic(),
                    Duration.ofSeconds(15));
            return publish(config, session);
        } catch (SegmentPublisher.SendFailedException e) {
            throw new UserError(e.getMessage());
        }
    }

    private int publish(ServiceConfig config, long session) throws Exception {
        try (SegmentPublisher publisher = new SegmentPublisher(
                config.bootstrapServers(),
                config.kafkaOverrides(),
                config.stream().inputTopic(),
                config.maxRecordBytes(),
                session)) {
            long sent = 0;
            do {
                try (var segments = SegmentSource.open(input, segmentSeconds, width, height, crf, seconds, 30)) {
                    sent += publisher.publish(
                            streamId,
                            sent,
                            segments.iterator(),
                            !noPace,
                            crf,
                            s -> System.out.printf(
                                    "sent %s epoch %d seq %d: %d frames, %d bytes%n",
                                    s.getStreamId(),
                                    s.getEpoch(),
                                    s.getSequence(),
                                    s.getFrameCount(),
                                    s.getPayload().size()));
                }
            } while (loop);
            System.out.printf(
                    "sent %d segments of stream %s to %s%n",
                    sent, streamId, config.stream().inputTopic());
        }
        return 0;
    }
}
