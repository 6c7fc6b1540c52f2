package org.sdatc.enhancer.app;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.sdatc.enhancer.app.kafka.BrokerCheck;
import org.sdatc.enhancer.engine.Enhancer;
import org.sdatc.enhancer.metrics.HealthStatus;
import org.sdatc.enhancer.metrics.JvmProcessMetrics;
import org.sdatc.enhancer.metrics.OpsServer;
import org.sdatc.enhancer.metrics.PipelineMetrics;
import org.sdatc.enhancer.metrics.StreamsStateMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code run} and {@code demo} keep alive: metrics and health endpoint, the service and
 * its enhancer. Closing it is the single shutdown path, in a known order: streams (finishing the
 * segment in flight), then the enhancer's sessions, then the metrics binders, then the endpoint.
 */
final class ServiceRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

    private final OpsServer ops;
    private final JvmProcessMetrics jvmMetrics;
    private final EnhancerService service;
    private final KafkaStreamsMetrics streamsMetrics;

    private ServiceRuntime(
            OpsServer ops, JvmProcessMetrics jvmMetrics, EnhancerService service, KafkaStreamsMetrics streamsMetrics) {
        this.ops = ops;
        this.jvmMetrics = jvmMetrics;
        this.service = service;
        this.streamsMetrics = streamsMetrics;
    }

    static ServiceRuntime start(ServiceConfig config, int partitions) throws InterruptedException {
        return start(config, partitions, new CountDownLatch(1));
    }

    /**
     * Waits for the brokers (logging why they cannot be reached, see {@link BrokerCheck}), then
     * creates the enhancer and starts the service.
     *
     * @param stop counted down to give up waiting for the brokers
     * @throws InterruptedException also when {@code stop} fell before the brokers answered
     */
    static ServiceRuntime start(ServiceConfig config, int partitions, CountDownLatch stop) throws InterruptedException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(registry);
        JvmProcessMetrics jvmMetrics = new JvmProcessMetrics();
        jvmMetrics.bindTo(registry);
        AtomicReference<EnhancerService> running = new AtomicReference<>();
        BrokerWait brokers = new BrokerWait(
                new BrokerCheck(config.bootstrapServers(), config.kafkaOverrides()), config.brokerGrace());
        OpsServer ops = OpsServer.start(
                new InetSocketAddress(config.metricsBind(), config.metricsPort()),
                registry,
                () -> health(running.get(), brokers));
        log.info("metrics on http://{}:{}{}", config.metricsBind(), ops.port(), OpsServer.METRICS_PATH);
        Enhancer enhancer = null;
        try {
            log.info(
                    "{}, application id {}, {}",
                    brokers.check().describe(),
                    config.applicationId(),
                    config.groupInstanceId() == null
                            ? "dynamic membership"
                            : "static membership as " + config.groupInstanceId());
            if (!brokers.await(stop)) {
                throw new InterruptedException("stopped before the Kafka brokers answered");
            }
            enhancer = Enhancers.create(config);
            metrics.enhancerInfo(enhancer.info());
            log.info("enhancer: {}", enhancer.info());
            EnhancerService service = EnhancerService.start(config, enhancer, new MetricsEvents(metrics), partitions);
            running.set(service);
            new StreamsStateMetrics(service::state).bindTo(registry);
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(service.streams());
            streamsMetrics.bindTo(registry);
            return new ServiceRuntime(ops, jvmMetrics, service, streamsMetrics);
        } catch (RuntimeException | InterruptedException e) {
            if (running.get() == null && enhancer != null) {
                enhancer.close();
            }
            jvmMetrics.close();
            ops.close();
            throw e;
        }
    }

    private static HealthStatus health(EnhancerService service, BrokerWait brokers) {
        if (service == null) {
            return new HealthStatus(null, 0, brokers.problem(), brokers.downTooLong());
        }
        KafkaStreams.State state = service.state();
        return new HealthStatus(state, service.activeTasks(), null, false);
    }

    EnhancerService service() {
        return service;
    }

    int metricsPort() {
        return ops.port();
    }

    KafkaStreams.State state() {
        return service.state();
    }

    @Override
    public void close() {
        service.close();
        streamsMetrics.close();
        jvmMetrics.close();
        ops.close();
    }
}
