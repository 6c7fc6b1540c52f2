package org.sdatc.enhancer.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Kafka Streams client state as one gauge per state ({@link MeterNames#STREAMS_STATE}, 1 for
 * the current state), so dashboards and alerts see what the health endpoints answer. Seven series
 * at most: the state enum is the tag's whole value set.
 */
public final class StreamsStateMetrics implements MeterBinder {
    private final Supplier<KafkaStreams.State> state;

    /** @param state the current state; null while the client does not exist yet */
    public StreamsStateMetrics(Supplier<KafkaStreams.State> state) {
        this.state = state;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (KafkaStreams.State s : KafkaStreams.State.values()) {
            Gauge.builder(MeterNames.STREAMS_STATE, state, st -> st.get() == s ? 1 : 0)
                    .description("1 for the Kafka Streams client's current state")
                    .tag(MeterNames.TAG_STATE, s.name())
                    // Gauges hold their object weakly; a method reference like streams::state would
                    // be collected at the next GC and the gauge would read NaN.
                    .strongReference(true)
                    .register(registry);
        }
    }
}
