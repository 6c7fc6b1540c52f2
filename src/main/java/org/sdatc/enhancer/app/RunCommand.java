package org.sdatc.enhancer.app;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KafkaStreams;
import org.sdatc.enhancer.media.SegmentEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}: the service against an existing Kafka cluster, until SIGTERM. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Enhance segments from an existing Kafka cluster until stopped (SIGTERM or Ctrl-C).")
public final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    CommonOptions common;

    @Option(
            names = "--partitions",
            defaultValue = "6",
            description = "Partitions for topics this command creates (existing topics are left as they are).")
    int partitions;

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = common.load(Map.of());
        SegmentEncoder.requireEncoder(config.stream().encoder());
        CountDownLatch shutdownRequested = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger exitCode = new AtomicInteger(1);
        Duration closeBudget = config.worstSegment().plusSeconds(60);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            shutdownRequested.countDown();
                            try {
                                if (closed.await(closeBudget.toMillis(), TimeUnit.MILLISECONDS)) {
                                    // A JVM stopped by SIGTERM exits 143 however cleanly it closed; an
                                    // orchestrator should see 0 for a clean stop. Everything is closed.
                                    Runtime.getRuntime().halt(exitCode.get());
                                }
                                log.error("not closed within {}; exiting", closeBudget);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "sdatc-shutdown"));

        try {
            int code = 0;
            ServiceRuntime started;
            try {
                started = ServiceRuntime.start(config, partitions, shutdownRequested);
            } catch (InterruptedException e) {
                if (shutdownRequested.getCount() > 0) {
                    throw e;
                }
                log.info("shutdown requested before the Kafka brokers answered; nothing was started");
                exitCode.set(0);
                return 0;
            }
            try (ServiceRuntime runtime = started) {
                while (!shutdownRequested.await(1, TimeUnit.SECONDS)) {
                    KafkaStreams.State state = runtime.service().state();
                    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                        log.error("kafka streams stopped ({}); exiting so the instance can be restarted", state);
                        code = 1;
                        break;
                    }
                }
                if (code == 0) {
                    log.info("shutdown requested: finishing the segment in flight, then closing");
                }
            }
            if (code == 0) {
                log.info("stopped cleanly");
            }
            exitCode.set(code);
            return code;
        } finally {
            closed.countDown();
        }
    }
}
