package org.sdatc.enhancer.app;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.sdatc.enhancer.app.kafka.Topics;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.engine.budget.Ladder;
import org.sdatc.enhancer.engine.budget.RungCosts;
import org.sdatc.enhancer.engine.budget.TierPolicy;
import org.sdatc.enhancer.engine.sdatc.TieredEnhancer;
import org.sdatc.enhancer.stream.EnhancerTopology;
import org.sdatc.enhancer.stream.RungWarmUp;
import org.sdatc.enhancer.stream.SegmentEvents;
import org.sdatc.enhancer.stream.StreamsProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: topics, the Kafka Streams app and the enhancer, with one shutdown path that
 * closes them in a known order (streams first, so no segment is half processed, then the enhancer's
 * sessions).
 */
public final class EnhancerService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EnhancerService.class);

    private final ServiceConfig config;
    private final Enhancer enhancer;
    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private EnhancerService(ServiceConfig config, Enhancer enhancer, KafkaStreams streams) {
        this.config = config;
        this.enhancer = enhancer;
        this.streams = streams;
    }

    /** Creates missing topics and starts processing; returns at once. Takes ownership of the enhancer. */
    public static EnhancerService start(ServiceConfig config, Enhancer enhancer, SegmentEvents events, int partitions)
            throws InterruptedException {
        Map<String, Object> adminProps = new HashMap<>(config.kafkaOverrides());
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin admin = Admin.create(adminProps)) {
            Topics.ensure(
                    admin,
                    Set.of(
                            config.stream().inputTopic(),
                            config.stream().outputTopic(),
                            config.stream().deadLetterTopic()),
                    partitions,
                    config.maxRecordBytes());
        }
        RocksDbLibrary.loadUnder(config.stateDir());
        Properties props = StreamsProperties.of(
                config.applicationId(),
                config.bootstrapServers(),
                config.stateDir().toAbsolutePath().toString(),
                config.worstSegment(),
                config.maxRecordBytes(),
                config.stream(),
                events,
                config.groupInstanceId(),
                config.kafkaOverrides());
        Ladder ladder = enhancer instanceof TieredEnhancer tiers ? tiers.ladder() : Ladder.single(enhancer);
        TierPolicy policy =
                config.latencyBudgetMs() > 0 ? TierPolicy.of(ladder.rungs(), config.latencyBudgetMs()) : null;
        RungCosts costs = new RungCosts();
        if (policy != null) {
            for (int[] size : config.warmupSizes()) {
                RungWarmUp.run(
                        ladder,
                        costs,
                        config.stream().windowLength(),
                        config.stream().windowContext(),
                        size[0],
                        size[1]);
            }
        }
        KafkaStreams streams =
                new KafkaStreams(EnhancerTopology.build(config.stream(), ladder, policy, costs, events), props);
        EnhancerService service = new EnhancerService(config, enhancer, streams);
        streams.setUncaughtExceptionHandler(e -> {
            // Not about one segment (those are dead-lettered): a broken model or codec. Stop loudly.
            log.error("stream thread failed; the service stops so it can be restarted: {}", e.toString(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            log.info("kafka streams {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                service.stopped.countDown();
            }
        });
        streams.start();
        log.info(
                "enhancing {} -> {} (dead letters: {}) with {}; latency ladder {} within {}",
                config.stream().inputTopic(),
                config.stream().outputTopic(),
                config.stream().deadLetterTopic(),
                enhancer.info(),
                ladder.rungs(),
                policy == null ? "no budget" : policy.budgetMs() + " ms");
        return service;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Active tasks this instance's stream threads hold; 0 unless the client is RUNNING. */
    public int activeTasks() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return 0;
        }
        try {
            return streams.metadataForLocalThreads().stream()
                    .mapToInt(t -> t.activeTasks().size())
                    .sum();
        } catch (IllegalStateException e) {
            return 0; // the client left RUNNING between the two calls
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** Blocks until the streams client stops on its own (error) or the timeout passes. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        // Let the segment in flight finish: the worst segment bounds the wait.
        Duration wait = config.worstSegment().plusSeconds(30);
        if (!streams.close(wait)) {
            log.warn("kafka streams did not close within {}", wait);
        }
        enhancer.close();
    }
}
