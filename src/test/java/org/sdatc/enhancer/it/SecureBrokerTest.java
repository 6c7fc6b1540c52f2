package org.sdatc.enhancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.app.kafka.BrokerCheck;
import org.sdatc.enhancer.app.kafka.SegmentCollector;
import org.sdatc.enhancer.app.kafka.SegmentPublisher;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.proto.v1.EnhancedSegment;

/**
 * Issue 11, security for real: a broker whose only client listener is SASL_SSL (PLAIN, a certificate
 * generated for this run). {@code run} with the right credentials and truststore enhances segments
 * end to end; a wrong password and an untrusted certificate are each reported within seconds, in
 * words that name the setting to fix; and no secret reaches the log.
 */
class SecureBrokerTest {
    private static SaslSslListener tls;
    private static KafkaCluster kafka;

    @TempDir
    static Path stores;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSecureKafka() throws Exception {
        long start = System.nanoTime();
        tls = SaslSslListener.generate(stores);
        long generated = System.nanoTime();
        kafka = KafkaCluster.start(tls);
        System.out.printf(
                "SASL_SSL broker: keystore in %.1f s, broker up %.1f s later%n",
                (generated - start) / 1e9, (System.nanoTime() - generated) / 1e9);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void runWithTheRightCredentialsOverSaslSslEnhancesSegmentsEndToEnd() throws Exception {
        List<CutSegment> segments = SegmentCutter.cut(
                SyntheticClip.generate(96, 64, 12, 5),
                new Rational(12, 1),
                0.5,
                new EncoderSettings("libx264", "veryfast", 26));
        Map<String, String> client = tls.clientSettings();
        Path log = dir.resolve("run.log");
        long start = System.nanoTime();
        try (ServiceProcess run = ServiceProcess.start(
                        kafka.bootstrapServers(),
                        dir.resolve("tmp"),
                        log,
                        List.of(
                                "sdatc.application.id=secure-test",
                                "sdatc.state.dir=" + dir.resolve("state"),
                                "sdatc.topic.input=secure-in",
                                "sdatc.topic.output=secure-out",
                                "sdatc.topic.dead.letter=secure-dlq",
                                "sdatc.segment.worst.seconds=10",
                                "kafka.security.protocol=SASL_SSL",
                                "kafka.sasl.mechanism=" + SaslSslListener.MECHANISM,
                                "kafka.ssl.truststore.type=PKCS12",
                                "kafka.ssl.truststore.location=" + tls.truststore()),
                        // Secrets as a deployment passes them: from the environment (a Secret), not argv.
                        Map.of(
                                "SDATC_KAFKA_SASL_JAAS_CONFIG", client.get("sasl.jaas.config"),
                                "SDATC_KAFKA_SSL_TRUSTSTORE_PASSWORD", tls.storePassword()));
                SegmentPublisher publisher = new SegmentPublisher(
                        kafka.bootstrapServers(), client, "secure-in", KafkaCluster.MAX_RECORD_BYTES)) {
            run.awaitReady(Duration.ofSeconds(60));
            double ready = (System.nanoTime() - start) / 1e9;
            publisher.publish("cam-secure", segments.iterator(), false, 26, s -> {});

            Map<Long, EnhancedSegment> out = new TreeMap<>();
            try (SegmentCollector collector = new SegmentCollector(
                    kafka.bootstrapServers(), client, List.of("secure-out"), KafkaCluster.MAX_RECORD_BYTES)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (out.size() < segments.size() && System.nanoTime() < deadline) {
                    collector.poll(Duration.ofMillis(200), (topic, r) -> {
                        EnhancedSegment e = parse(r.value());
                        out.put(e.getSequence(), e);
                    });
                }
            }
            System.out.printf(
                    "run over SASL_SSL: ready %.1f s after start, %d segments out %.1f s after start%n",
                    ready, out.size(), (System.nanoTime() - start) / 1e9);
            assertEquals(segments.size(), out.size(), run.log());
            for (long seq = 0; seq < segments.size(); seq++) {
                assertEquals(4 * 96, out.get(seq).getWidth());
                assertEquals(segments.get((int) seq).frameCount(), out.get(seq).getFrameCount());
            }
            assertEquals(0, run.stop(Duration.ofSeconds(60)), "a clean stop on SIGTERM:\n" + run.log());
            String text = run.log();
            assertTrue(text.contains("security.protocol SASL_SSL, sasl.mechanism PLAIN"), text);
            assertFalse(text.contains(tls.password()), "the SASL password is in the log:\n" + text);
            assertFalse(text.contains(tls.storePassword()), "the truststore password is in the log:\n" + text);
        }
    }

    @Test
    void theRightCredentialsPassTheStartUpCheck() throws Exception {
        assertNull(new BrokerCheck(kafka.bootstrapServers(), tls.clientSettings()).problem());
    }

    @Test
    void aWrongPasswordIsReportedAsAnAuthenticationFailureNamingTheSettingWithinSeconds() throws Exception {
        String wrong = "not-" + tls.password();
        long start = System.nanoTime();
        String problem = new BrokerCheck(kafka.bootstrapServers(), tls.clientSettings(wrong)).problem();
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("wrong SASL password: the start-up check answered in %d ms: %s%n", ms, problem);
        assertTrue(problem.startsWith("authentication failed at [localhost:"), problem);
        assertTrue(problem.contains("(SASL_SSL)"), problem);
        assertTrue(problem.contains("Invalid username or password"), problem);
        assertTrue(problem.contains("kafka.sasl.jaas.config (SDATC_KAFKA_SASL_JAAS_CONFIG)"), problem);
        assertFalse(problem.contains(wrong), "the password is not repeated: " + problem);
        assertTrue(ms < 5000, "reported after " + ms + " ms");
    }

    @Test
    void runWithAWrongPasswordLogsTheAuthenticationFailureWithinSecondsAndStopsCleanly() throws Exception {
        String wrong = "not-" + tls.password();
        Path log = dir.resolve("wrong.log");
        long start = System.nanoTime();
        try (ServiceProcess run = ServiceProcess.start(
                kafka.bootstrapServers(),
                dir.resolve("tmp"),
                log,
                List.of(
                        "sdatc.state.dir=" + dir.resolve("state"),
                        "sdatc.health.broker.grace.seconds=3",
                        "kafka.security.protocol=SASL_SSL",
                        "kafka.sasl.mechanism=" + SaslSslListener.MECHANISM,
                        "kafka.ssl.truststore.type=PKCS12",
                        "kafka.ssl.truststore.location=" + tls.truststore()),
                Map.of(
                        "SDATC_KAFKA_SASL_JAAS_CONFIG", SaslSslListener.jaas(SaslSslListener.USER, wrong),
                        "SDATC_KAFKA_SSL_TRUSTSTORE_PASSWORD", tls.storePassword()))) {
            String text = ServiceProcess.awaitLog(log, "cannot reach Kafka", Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("wrong SASL password: run logged the cause %.1f s after its JVM started%n", seconds);
            assertTrue(text.contains("authentication failed at [localhost:"), text);
            assertTrue(text.contains("kafka.sasl.jaas.config"), text);
            assertTrue(seconds < 15, "logged " + seconds + " s after start (JVM start included):\n" + text);
            assertEquals(0, run.stop(Duration.ofSeconds(30)), "SIGTERM while waiting exits 0:\n" + run.log());
            assertFalse(run.log().contains(wrong), "the password is in the log:\n" + run.log());
        }
    }

    @Test
    void anUntrustedBrokerCertificateIsReportedAsAFailedTlsHandshakeNamingTheTruststore() throws Exception {
        long start = System.nanoTime();
        String problem =
                new BrokerCheck(kafka.bootstrapServers(), tls.untrustingClientSettings(tls.password())).problem();
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("untrusted certificate: the start-up check answered in %d ms: %s%n", ms, problem);
        assertTrue(problem.startsWith("TLS handshake with [localhost:"), problem);
        assertTrue(problem.contains("the broker's certificate is not trusted"), problem);
        assertTrue(problem.contains("kafka.ssl.truststore.*"), problem);
        assertTrue(ms < 5000, "reported after " + ms + " ms");
    }

    @Test
    void plaintextAgainstTheTlsListenerIsReportedAsATlsListenerNamingTheProtocolSetting() throws Exception {
        long start = System.nanoTime();
        String problem = new BrokerCheck(kafka.bootstrapServers(), Map.of()).problem();
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("PLAINTEXT against SASL_SSL: the start-up check answered in %d ms: %s%n", ms, problem);
        assertTrue(problem.contains("answer no Kafka request within 5 s"), problem);
        assertTrue(problem.contains("the listener speaks TLS: set kafka.security.protocol=SSL (or SASL_SSL)"), problem);
        assertTrue(ms < 10_000, "reported after " + ms + " ms");
    }

    private static EnhancedSegment parse(byte[] value) {
        try {
            return EnhancedSegment.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
