package org.sdatc.enhancer.metrics;

import org.apache.kafka.streams.KafkaStreams;

/**
 * What the health endpoints judge, sampled per probe.
 *
 * @param state the Kafka Streams client's state; null before the client exists
 * @param activeTasks active tasks this instance's stream threads hold (0 unless RUNNING)
 * @param brokerProblem why the brokers cannot be reached at start-up (names the cause and the
 *     setting to fix), or null while they answer or before the first check
 * @param brokerDownTooLong true once the brokers have been unreachable for longer than {@code
 *     sdatc.health.broker.grace.seconds}
 */
public record HealthStatus(KafkaStreams.State state, int activeTasks, String brokerProblem, boolean brokerDownTooLong) {

    /** Only the client's state known (no task count, brokers assumed reachable). */
    public static HealthStatus of(KafkaStreams.State state) {
        return new HealthStatus(state, state == KafkaStreams.State.RUNNING ? 1 : 0, null, false);
    }
}
