package org.sdatc.enhancer.stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.engine.BicubicEnhancer;
import org.slf4j.LoggerFactory;

/** The Streams settings as a real KafkaStreams client takes them. */
class StreamsPropertiesTest {
    @TempDir
    Path stateDir;

    @Test
    void creatingTheStreamsClientLogsNoProcessingExceptionHandlerWarning() {
        Logger streamsLog = (Logger) LoggerFactory.getLogger("org.apache.kafka");
        Level saved = streamsLog.getLevel();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        streamsLog.addAppender(logs);
        streamsLog.setLevel(Level.WARN);
        try {
            StreamSettings settings = StreamSettings.defaults();
            Properties props = StreamsProperties.of(
                    "warn-check",
                    "127.0.0.1:1",
                    stateDir.toString(),
                    Duration.ofSeconds(30),
                    16 << 20,
                    settings,
                    SegmentEvents.NONE,
                    null, // dynamic membership
                    Map.of());
            // The constructor builds the stream threads and their consumers (and the partition
            // assignor, which reads its own copy of the config): every config the client derives.
            new KafkaStreams(EnhancerTopology.build(settings, new BicubicEnhancer(4), SegmentEvents.NONE), props)
                    .close(Duration.ofSeconds(10));
        } finally {
            streamsLog.detachAppender(logs);
            streamsLog.setLevel(saved);
        }
        assertTrue(
                logs.list.stream()
                        .noneMatch(e -> e.getFormattedMessage().contains("Processing exception handler")
                                || e.getFormattedMessage().contains("isn't a known config")),
                logs.list.stream()
                        .map(ILoggingEvent::getFormattedMessage)
                        .toList()
                        .toString());
    }
}
