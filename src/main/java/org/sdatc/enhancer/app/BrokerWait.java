package org.sdatc.enhancer.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.sdatc.enhancer.app.kafka.BrokerCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up waits here until the brokers answer. A broker that starts after the service (compose,
 * a cluster restart) is waited for; a wrong address or protocol is reported at once, at ERROR,
 * naming the cause and the setting, again when the cause changes and every 30 s; and past the
 * grace period {@code /health/live} answers 503, so an orchestrator restarts the pod and shows why.
 */
final class BrokerWait {
    private static final Logger log = LoggerFactory.getLogger(BrokerWait.class);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final Duration REPEAT_LOG = Duration.ofSeconds(30);

    private final BrokerCheck check;
    private final Duration grace;
    private volatile String problem;
    private volatile long downSinceNanos;

    BrokerWait(BrokerCheck check, Duration grace) {
        this.check = check;
        this.grace = grace;
    }

    BrokerCheck check() {
        return check;
    }

    /** True once the brokers answered; false when {@code stop} fell first. */
    boolean await(CountDownLatch stop) throws InterruptedException {
        long started = System.nanoTime();
        String lastLogged = null;
        long lastLoggedAt = 0;
        while (true) {
            String now = check.problem();
            if (now == null) {
                if (problem != null) {
                    log.info(
                            "kafka brokers answer after {} s",
                            Duration.ofNanos(System.nanoTime() - started).toSeconds());
                }
                problem = null;
                return true;
            }
            if (problem == null) {
                downSinceNanos = System.nanoTime();
            }
            problem = now;
            long since = System.nanoTime() - lastLoggedAt;
            if (!now.equals(lastLogged) || since > REPEAT_LOG.toNanos()) {
                log.error(
                        "cannot reach Kafka{}: {}",
                        lastLogged == null
                                ? ""
                                : " (for "
                                        + Duration.ofNanos(System.nanoTime() - started)
                                                .toSeconds() + " s)",
                        now);
                lastLogged = now;
                lastLoggedAt = System.nanoTime();
            }
            if (stop.await(RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
    }

    /** Why the brokers cannot be reached, or null. */
    String problem() {
        return problem;
    }

    boolean downTooLong() {
        return problem != null && System.nanoTime() - downSinceNanos > grace.toNanos();
    }
}
