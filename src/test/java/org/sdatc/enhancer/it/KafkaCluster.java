package org.sdatc.enhancer.it;

import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A real Kafka broker for integration tests: a Testcontainers broker where a Docker engine runs,
 * Kafka's in-process KRaft cluster otherwise (this project's CI machines have no Docker). {@link
 * #start(SaslSslListener)} gives the in-process cluster a SASL_SSL client listener instead.
 */
public final class KafkaCluster implements AutoCloseable {
    public static final int MAX_RECORD_BYTES = 16 << 20;

    private final AutoCloseable resource;
    private final String bootstrapServers;

    private KafkaCluster(AutoCloseable resource, String bootstrapServers) {
        this.resource = resource;
        this.bootstrapServers = bootstrapServers;
    }

    public static KafkaCluster start() throws Exception {
        if (dockerAvailable()) {
            KafkaContainer container = new KafkaContainer("apache/kafka:4.1.0")
                    .withEnv("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(MAX_RECORD_BYTES));
            container.start();
            return new KafkaCluster(container::stop, container.getBootstrapServers());
        }
        return startInProcess(SecurityProtocol.PLAINTEXT, Map.of());
    }

    /**
     * An in-process broker whose client (and inter-broker) listener is SASL_SSL with {@code
     * listener}'s certificate and PLAIN users; clients need {@link SaslSslListener#clientSettings()}.
     * The controller listener stays PLAINTEXT. Always in-process, also where Docker runs.
     */
    public static KafkaCluster start(SaslSslListener listener) throws Exception {
        return startInProcess(SecurityProtocol.SASL_SSL, listener.brokerSettings("external"));
    }

    private static KafkaCluster startInProcess(SecurityProtocol protocol, Map<String, Object> settings)
            throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBrokerSecurityProtocol(protocol)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("message.max.bytes", String.valueOf(MAX_RECORD_BYTES));
        settings.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new KafkaCluster(cluster, cluster.bootstrapServers());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() throws Exception {
        resource.close();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }
}
