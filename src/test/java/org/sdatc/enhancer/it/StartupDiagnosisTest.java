package org.sdatc.enhancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.app.kafka.BrokerCheck;

/**
 * Issue 11, item 7: against brokers it cannot use, the service says why within seconds, naming the
 * setting to fix, instead of one "Timed out waiting for a node assignment" after a minute.
 */
class StartupDiagnosisTest {
    private static KafkaCluster kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaCluster.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void aClosedPortIsReportedAsConnectionRefusedWithinAFewSeconds() throws Exception {
        int closed = ServiceProcess.freePort();
        long start = System.nanoTime();
        String problem = new BrokerCheck("127.0.0.1:" + closed, Map.of()).problem();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(problem.contains("connection refused by 127.0.0.1:" + closed), problem);
        assertTrue(problem.contains("kafka.bootstrap.servers"), problem);
        assertTrue(ms < 3000, "reported after " + ms + " ms");
    }

    @Test
    void anUnresolvableHostIsNamed() throws Exception {
        String problem = new BrokerCheck("no-such-broker.invalid:9092", Map.of()).problem();
        assertTrue(problem.contains("cannot resolve host 'no-such-broker.invalid'"), problem);
        assertTrue(problem.contains("kafka.bootstrap.servers"), problem);
    }

    @Test
    void sslAgainstAPlaintextListenerIsReportedAsAFailedTlsHandshake() throws Exception {
        for (String protocol : List.of("SSL", "SASL_SSL")) {
            long start = System.nanoTime();
            String problem = new BrokerCheck(kafka.bootstrapServers(), Map.of("security.protocol", protocol)).problem();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(problem.contains("TLS handshake with " + kafka.bootstrapServers()), problem);
            assertTrue(problem.contains("PLAINTEXT listener"), problem);
            assertTrue(problem.contains("kafka.security.protocol (" + protocol + ")"), problem);
            assertTrue(ms < 5000, protocol + " reported after " + ms + " ms");
        }
    }

    @Test
    void saslAgainstAPlaintextListenerIsReportedAsAnAuthenticationFailure() throws Exception {
        long start = System.nanoTime();
        String problem = new BrokerCheck(
                        kafka.bootstrapServers(),
                        Map.of(
                                "security.protocol",
                                "SASL_PLAINTEXT",
                                "sasl.mechanism",
                                "PLAIN",
                                "sasl.jaas.config",
                                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                        + " username=\"u\" password=\"p\";"))
                .problem();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(problem.contains("authentication failed"), problem);
        assertTrue(problem.contains("kafka.sasl.jaas.config"), problem);
        assertTrue(ms < 8000, "reported after " + ms + " ms");
    }

    @Test
    void aReachableBrokerHasNoProblem() throws Exception {
        assertNull(new BrokerCheck(kafka.bootstrapServers(), Map.of()).problem());
    }

    @Test
    void runAgainstAClosedPortLogsServersProtocolAndCauseAndFailsLivenessAfterTheGrace() throws Exception {
        int closed = ServiceProcess.freePort();
        int metrics = ServiceProcess.freePort();
        Path log = dir.resolve("run.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "org.sdatc.enhancer.app.Main",
                "run",
                "--bootstrap-servers",
                "127.0.0.1:" + closed,
                "--enhancer",
                "bicubic",
                "--set",
                "sdatc.state.dir=" + dir.resolve("state"),
                "--set",
                "sdatc.metrics.port=" + metrics,
                "--set",
                "sdatc.health.broker.grace.seconds=3"));
        long start = System.nanoTime();
        Process run = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            String text = ServiceProcess.awaitLog(log, "cannot reach Kafka", Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("start-up error logged %.1f s after the process started%n", seconds);
            assertTrue(
                    text.contains("kafka: bootstrap servers 127.0.0.1:" + closed + ", security.protocol PLAINTEXT"),
                    text);
            assertTrue(text.contains("connection refused by 127.0.0.1:" + closed), text);
            assertTrue(text.contains("kafka.bootstrap.servers"), text);
            // JVM start included; the check itself takes milliseconds.
            assertTrue(seconds < 15, "the cause was logged " + seconds + " s after start:\n" + text);

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> live = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                live = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics + "/health/live"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (live.statusCode() == 503) {
                    break;
                }
                Thread.sleep(250);
            }
            assertEquals(503, live.statusCode(), "not alive past the grace: " + live.body());
            assertTrue(live.body().contains("connection refused"), live.body());
        } finally {
            run.destroy();
            assertTrue(run.waitFor(30, TimeUnit.SECONDS), "run stops on SIGTERM while waiting for brokers");
        }
        assertEquals(0, run.exitValue(), Files.readString(log));
    }
}
