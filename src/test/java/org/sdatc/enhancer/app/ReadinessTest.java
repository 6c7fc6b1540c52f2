package org.sdatc.enhancer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.it.KafkaCluster;
import org.sdatc.enhancer.metrics.OpsServer;

/**
 * Issue 11, item 5, on a real broker: /health/ready says ready only for an instance that holds
 * tasks. A second instance of the same application over a one-partition input is RUNNING with
 * nothing to do, as a restarted instance is while its dead predecessor still holds the tasks.
 */
class ReadinessTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anInstanceThatIsRunningButHoldsNoTaskIsNotReady(@TempDir Path tmp) throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start();
                ServiceRuntime first = ServiceRuntime.start(config(kafka, tmp.resolve("a")), 1)) {
            HttpResponse<String> ready = await(first, 200, Duration.ofSeconds(60));
            assertTrue(ready.body().contains("\"activeTasks\":1"), ready.body());
            try (ServiceRuntime second = ServiceRuntime.start(config(kafka, tmp.resolve("b")), 1)) {
                // One partition, one task, two instances: the assignor may leave the task where it was or
                // move it, but exactly one instance holds it, and only that one is ready.
                awaitRunning(second, Duration.ofSeconds(60));
                awaitRunning(first, Duration.ofSeconds(60));
                HttpResponse<String> a = get(first, OpsServer.READY_PATH);
                HttpResponse<String> b = get(second, OpsServer.READY_PATH);
                boolean firstIdle = a.body().contains("\"activeTasks\":0");
                HttpResponse<String> idle = firstIdle ? a : b;
                HttpResponse<String> holder = firstIdle ? b : a;
                assertTrue(idle.body().contains("\"activeTasks\":0"), a.body() + " / " + b.body());
                assertEquals(503, idle.statusCode(), idle.body());
                assertTrue(holder.body().contains("\"activeTasks\":1"), holder.body());
                assertEquals(200, holder.statusCode(), "the task holder is ready: " + holder.body());
                assertEquals(
                        200,
                        get(firstIdle ? first : second, OpsServer.LIVE_PATH).statusCode(),
                        "idle is alive");
            }
        }
    }

    private static ServiceConfig config(KafkaCluster kafka, Path dir) {
        return ServiceConfig.load(
                null,
                Map.of(),
                Map.of(
                        "kafka.bootstrap.servers", kafka.bootstrapServers(),
                        "sdatc.application.id", "readiness-test",
                        "sdatc.state.dir", dir.resolve("state").toString(),
                        "sdatc.metrics.bind", "127.0.0.1",
                        "sdatc.metrics.port", "0",
                        "sdatc.segment.worst.seconds", "10",
                        "sdatc.enhancer", "bicubic"));
    }

    private HttpResponse<String> await(ServiceRuntime app, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> r = get(app, OpsServer.READY_PATH);
        while (r.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            r = get(app, OpsServer.READY_PATH);
        }
        assertEquals(status, r.statusCode(), r.body());
        return r;
    }

    /** The readiness answer once the client is RUNNING and the rebalance that let it in is over. */
    private HttpResponse<String> awaitRunning(ServiceRuntime app, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (app.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(KafkaStreams.State.RUNNING, app.state());
        Thread.sleep(2000); // a follow-up (probing) rebalance would show as REBALANCING
        while (app.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        HttpResponse<String> r = get(app, OpsServer.READY_PATH);
        assertTrue(r.body().contains("\"state\":\"RUNNING\""), r.body());
        return r;
    }

    private HttpResponse<String> get(ServiceRuntime app, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.metricsPort() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
