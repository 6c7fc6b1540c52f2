package org.sdatc.enhancer.app;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.sdatc.enhancer.engine.Enhancer;
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
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(registry);
        JvmProcessMetrics jvmMetrics = new JvmProcessMetrics();
        jvmMetrics.bindTo(registry);
        AtomicReference<EnhancerService> running = new AtomicReference<>();
        OpsServer ops =
                OpsServer.start(new InetSocketAddress(config.metricsBind(), config.metricsPort()), registry, () -> {
                    EnhancerService s = running.get();
                    return s == null ? null : s.state();
                });
        log.info("metrics on http://{}:{}{}", config.metricsBind(), ops.port(), OpsServer.METRICS_PATH);
        Enhancer enhancer = null;
        try {
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
