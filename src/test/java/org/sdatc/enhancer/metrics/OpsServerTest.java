package org.sdatc.enhancer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sdatc.enhancer.engine.EnhancerInfo;
import org.sdatc.enhancer.engine.Stage;
import org.sdatc.enhancer.engine.Tier;

class OpsServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<State> state = new AtomicReference<>();
    private final OpsServer server =
            OpsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry, this::health);
    private volatile int activeTasks = 1;
    private volatile String brokerProblem;
    private volatile boolean brokerDownTooLong;

    private HealthStatus health() {
        return new HealthStatus(state.get(), activeTasks, brokerProblem, brokerDownTooLong);
    }

    @AfterEach
    void stop() {
        server.close();
        registry.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @EnumSource(State.class)
    void readinessIsUpOnlyWhileRunningAndNamesTheState(State current) throws Exception {
        state.set(current);
        HttpResponse<String> ready = get(OpsServer.READY_PATH);
        assertEquals(current == State.RUNNING ? 200 : 503, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"state\":\"" + current.name() + "\""), ready.body());
    }

    @ParameterizedTest
    @EnumSource(State.class)
    void livenessFailsOnlyOnErrorOrNotRunning(State current) throws Exception {
        state.set(current);
        HttpResponse<String> live = get(OpsServer.LIVE_PATH);
        boolean dead = current == State.ERROR || current == State.NOT_RUNNING;
        assertEquals(dead ? 503 : 200, live.statusCode(), live.body());
        assertTrue(live.body().contains(current.name()), live.body());
    }

    @Test
    void aRunningInstanceWithoutActiveTasksIsNotReadyAndSaysSo() throws Exception {
        state.set(State.RUNNING);
        activeTasks = 0;
        HttpResponse<String> ready = get(OpsServer.READY_PATH);
        assertEquals(503, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"activeTasks\":0"), ready.body());
        assertEquals(200, get(OpsServer.LIVE_PATH).statusCode(), "no tasks is alive: it may get some");
        activeTasks = 2;
        ready = get(OpsServer.READY_PATH);
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"activeTasks\":2"), ready.body());
    }

    @Test
    void unreachableBrokersFailLivenessOnlyPastTheGraceAndTheBodyNamesTheCause() throws Exception {
        brokerProblem = "connection refused by \"localhost:9\": no broker listens there";
        HttpResponse<String> live = get(OpsServer.LIVE_PATH);
        assertEquals(200, live.statusCode(), "within the grace: " + live.body());
        assertTrue(live.body().contains("connection refused by \\\"localhost:9\\\""), live.body());
        brokerDownTooLong = true;
        live = get(OpsServer.LIVE_PATH);
        assertEquals(503, live.statusCode(), live.body());
        assertTrue(live.body().contains("no broker listens there"), live.body());
    }

    @Test
    void aClientNotCreatedYetIsAliveButNotReady() throws Exception {
        assertEquals(200, get(OpsServer.LIVE_PATH).statusCode());
        HttpResponse<String> ready = get(OpsServer.READY_PATH);
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains("NOT_CREATED"), ready.body());
    }

    @Test
    void metricsExposeThePipelineSeriesInPrometheusTextFormat() throws Exception {
        PipelineMetrics metrics = new PipelineMetrics(registry);
        metrics.segmentIn();
        metrics.framesIn(48);
        metrics.stage(Stage.UPSCALE, 250_000_000L);
        metrics.segmentOut(48, 2.0, 1_000_000_000L, 1_500_000L);
        metrics.deadLettered("bad_payload");
        metrics.enhancerInfo(new EnhancerInfo("bicubic", 4, 0, "java", Tier.BICUBIC));

        HttpResponse<String> scrape = get(OpsServer.METRICS_PATH);

        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String body = scrape.body();
        for (String series : new String[] {
            "sdatc_segments_in_total 1.0",
            "sdatc_frames_in_total 48.0",
            "sdatc_segments_out_total 1.0",
            "sdatc_frames_out_total 48.0",
            "sdatc_video_out_seconds_total 2.0",
            "sdatc_segment_realtime_factor 2.0",
            "sdatc_segment_processing_seconds_count 1",
            "sdatc_segment_latency_seconds_count 1",
            "sdatc_segments_dead_lettered_total{reason=\"bad_payload\"} 1.0",
            "sdatc_stage_duration_seconds_count{stage=\"upscale\"} 1",
            "sdatc_stage_duration_seconds_bucket{stage=\"upscale\",le=\"+Inf\"} 1",
            "sdatc_enhancer_info{model=\"bicubic\",provider=\"java\",steps=\"0\"} 1",
            "sdatc_enhancer_steps 0.0",
        }) {
            assertTrue(body.contains(series), () -> "scrape lacks '" + series + "':\n" + body);
        }
    }

    @Test
    void aRealKafkaStreamsClientDrivesHealthAndExposesLagAndThreadSeries(@TempDir Path stateDir) throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("sdatc-in").to("sdatc-out");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ops-server-test");
        // Never started: the client, its thread and its consumer exist, so their metrics do.
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props);
                KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams)) {
            binder.bindTo(registry);
            new StreamsStateMetrics(streams::state).bindTo(registry);
            state.set(streams.state());

            assertEquals(503, get(OpsServer.READY_PATH).statusCode(), "a CREATED client is not ready");
            assertEquals(200, get(OpsServer.LIVE_PATH).statusCode(), "a CREATED client is alive");
            String body = get(OpsServer.METRICS_PATH).body();
            for (String series : new String[] {
                "kafka_consumer_fetch_manager_records_lag_max{",
                "kafka_stream_alive_stream_threads{",
                "kafka_stream_failed_stream_threads_total{",
                "kafka_stream_client_state{",
                "sdatc_streams_state{state=\"CREATED\"} 1.0",
                "sdatc_streams_state{state=\"RUNNING\"} 0.0",
            }) {
                assertTrue(body.contains(series), () -> "scrape lacks '" + series + "'");
            }
            streams.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        assertEquals(404, get("/nope").statusCode());
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + OpsServer.METRICS_PATH))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void aTakenPortFailsWithAMessageNamingTheAddress() {
        InetSocketAddress taken = server.address();
        UncheckedIOException e =
                assertThrows(UncheckedIOException.class, () -> OpsServer.start(taken, registry, this::health));
        assertTrue(e.getMessage().contains(String.valueOf(taken.getPort())), e.getMessage());
    }
}
