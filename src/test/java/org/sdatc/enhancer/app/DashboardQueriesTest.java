package org.sdatc.enhancer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdatc.enhancer.it.KafkaCluster;
import org.sdatc.enhancer.media.CutSegment;
import org.sdatc.enhancer.media.EncoderSettings;
import org.sdatc.enhancer.media.Rational;
import org.sdatc.enhancer.media.SegmentCutter;
import org.sdatc.enhancer.media.SyntheticClip;
import org.sdatc.enhancer.metrics.OpsServer;

/**
 * Keeps the Grafana dashboard true: the service runs for real (the same runtime as {@code run}, on a
 * real Kafka broker, enhancing real H.264 segments, with a duplicate, a gap and a bad segment among
 * them), a real Prometheus (Debian's {@code prometheus}) scrapes its endpoint, and every PromQL
 * expression of grafana/dashboards/sdatc-enhancer.json must parse and return a finite value, except
 * the GPU panels, which need NVIDIA's exporter.
 */
class DashboardQueriesTest {
    static final Path DASHBOARD = Path.of("grafana/dashboards/sdatc-enhancer.json");

    /**
     * Expressions whose data this test cannot produce, checked for parsing only, each with why. The
     * test fails if one is no longer in the dashboard, so the list cannot rot.
     */
    static final Map<String, String> PARSE_ONLY = Map.of(
            "avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL)",
            "needs NVIDIA's dcgm-exporter on a GPU host (docker-compose gpu profile, deploy/k8s)",
            "sum by (Hostname, gpu) (DCGM_FI_DEV_FB_USED) * 1024 * 1024",
            "needs NVIDIA's dcgm-exporter on a GPU host",
            "sum by (Hostname, gpu) (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) * 1024 * 1024",
            "needs NVIDIA's dcgm-exporter on a GPU host",
            "avg by (Hostname, gpu) (DCGM_FI_DEV_POWER_USAGE)",
            "needs NVIDIA's dcgm-exporter on a GPU host",
            "avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP)",
            "needs NVIDIA's dcgm-exporter on a GPU host");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyDashboardQueryParsesAndReturnsDataFromARealScrape(@TempDir Path tmp) throws Exception {
        Path prometheus = findPrometheus();
        List<String> queries = dashboardQueries();
        for (String expr : PARSE_ONLY.keySet()) {
            assertTrue(queries.contains(expr), "PARSE_ONLY lists a query the dashboard no longer has: " + expr);
        }

        try (KafkaCluster kafka = KafkaCluster.start();
                ServiceRuntime app = ServiceRuntime.start(config(kafka, tmp), 1)) {
            int promPort = freePort();
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: sdatc-enhancer
                        metrics_path: %s
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(OpsServer.METRICS_PATH, app.metricsPort()));
            Path log = tmp.resolve("prometheus.log");
            Process process = new ProcessBuilder(
                            prometheus.toString(),
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                            "--web.listen-address=127.0.0.1:" + promPort,
                            "--log.level=warn")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            String base = "http://127.0.0.1:" + promPort;
            try {
                awaitTrue(() -> !query(base, "up{job=\"sdatc-enhancer\"} == 1").isEmpty(), 20, log);
                feedSegments(kafka);
                awaitTrue(() -> !query(base, "sdatc_segments_out_total >= 9").isEmpty(), 120, log);
                Thread.sleep(2500); // two more scrapes after the last segment

                List<String> problems = new ArrayList<>();
                for (String expr : queries) {
                    JsonNode answer =
                            get(base + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
                    if (!"success".equals(answer.path("status").asText())) {
                        problems.add("does not parse: " + expr + " -> "
                                + answer.path("error").asText());
                    } else if (!PARSE_ONLY.containsKey(expr) && !hasFiniteValue(answer)) {
                        problems.add("no data: " + expr + " -> " + answer.path("data"));
                    }
                }
                assertEquals(List.of(), problems, "dashboard queries against a real scrape");
            } finally {
                process.destroy();
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    private static ServiceConfig config(KafkaCluster kafka, Path tmp) {
        return ServiceConfig.load(
                null,
                Map.of(),
                Map.of(
                        "kafka.bootstrap.servers", kafka.bootstrapServers(),
                        "sdatc.application.id", "dashboard-test",
                        "sdatc.state.dir", tmp.resolve("state").toString(),
                        "sdatc.metrics.bind", "127.0.0.1",
                        "sdatc.metrics.port", "0",
                        "sdatc.segment.worst.seconds", "20",
                        "sdatc.enhancer", "bicubic"));
    }

    /**
     * Twelve records of one stream: ten segments in order, then a resent one (duplicate), a jump
     * (gap) and a truncated payload (dead letter), spread over a few seconds so rates have data.
     */
    private static void feedSegments(KafkaCluster kafka) throws Exception {
        List<CutSegment> segments = SegmentCutter.cut(
                SyntheticClip.generate(96, 64, 120, 5),
                new Rational(12, 1),
                1.0,
                new EncoderSettings("libx264", "veryfast", 26));
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                KafkaCluster.MAX_RECORD_BYTES);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            long[] sequences = {0, 1, 2, 3, 4, 5, 5, 7, 8, 9, 10, 11};
            for (int i = 0; i < sequences.length; i++) {
                var segment = org.sdatc.enhancer.stream.VideoSegments.of(
                        "cam-1", sequences[i], segments.get(i % segments.size()), 26);
                if (i == 9) {
                    segment = segment.toBuilder()
                            .setPayload(segment.getPayload().substring(0, 600))
                            .build();
                }
                producer.send(new ProducerRecord<>("sdatc-in", "cam-1", segment.toByteArray()))
                        .get();
                Thread.sleep(300);
            }
        }
    }

    private static boolean hasFiniteValue(JsonNode answer) {
        for (JsonNode series : answer.path("data").path("result")) {
            double v = Double.parseDouble(series.path("value").path(1).asText("NaN"));
            if (Double.isFinite(v)) {
                return true;
            }
        }
        return false;
    }

    static List<String> dashboardQueries() throws IOException {
        List<String> out = new ArrayList<>();
        collectExprs(new ObjectMapper().readTree(DASHBOARD.toFile()), out);
        assertTrue(out.size() > 20, "expected the dashboard's queries, found " + out.size());
        return out;
    }

    private static void collectExprs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            JsonNode expr = node.get("expr");
            if (expr != null && expr.isTextual()) {
                out.add(expr.asText());
            }
            node.forEach(child -> collectExprs(child, out));
        } else if (node.isArray()) {
            node.forEach(child -> collectExprs(child, out));
        }
    }

    private List<JsonNode> query(String base, String expr) throws IOException, InterruptedException {
        List<JsonNode> result = new ArrayList<>();
        get(base + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8))
                .path("data")
                .path("result")
                .forEach(result::add);
        return result;
    }

    private JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return json.readTree(response.body());
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check check, int seconds, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IOException notYetListening) {
                // Prometheus is still starting
            }
            Thread.sleep(250);
        }
        fail("Prometheus did not scrape the OpsServer within " + seconds + " s; its log:\n"
                + (Files.exists(log) ? Files.readString(log) : "(none)"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * The prometheus binary from PATH or /usr/bin. Skips when it is absent on a developer machine;
     * fails under CI (env CI set), where .ci/run installs it.
     */
    static Path findPrometheus() {
        Stream<Path> candidates = Stream.concat(
                Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                        .filter(dir -> !dir.isEmpty())
                        .map(dir -> Path.of(dir, "prometheus")),
                Stream.of(Path.of("/usr/bin/prometheus")));
        Path found = candidates.filter(Files::isExecutable).findFirst().orElse(null);
        if (found == null) {
            String message = "the prometheus binary is not installed: apt-get update && apt-get install -y"
                    + " --no-install-recommends prometheus (.ci/run does this)";
            String ci = System.getenv("CI");
            if (ci == null || ci.isEmpty()) {
                Assumptions.abort(message + "; skipping because CI is unset");
            }
            fail(message + "; CI=" + ci + " requires it");
        }
        return found;
    }
}
