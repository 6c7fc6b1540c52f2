package org.sdatc.enhancer.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;

/**
 * The operations endpoint: {@code GET /metrics} (Prometheus text exposition), {@code GET
 * /health/live} and {@code GET /health/ready} (200 or 503, JSON body naming the Kafka Streams
 * state).
 *
 * <p>Readiness is RUNNING only: while rebalancing or restoring state the instance processes nothing,
 * so a load balancer or rollout should wait. Liveness fails only on ERROR or NOT_RUNNING, states
 * the client never leaves by itself, so a restart is the cure; a long rebalance must not get the
 * pod killed. A null state means the client is not created yet: alive, not ready.
 */
public final class OpsServer implements AutoCloseable {
    /** The metrics/health port of the service, also in docker-compose.yml and deploy/k8s. */
    public static final int DEFAULT_PORT = 9404;

    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final String METRICS_PATH = "/metrics";
    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";

    private static final Set<State> DEAD = EnumSet.of(State.ERROR, State.NOT_RUNNING);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final Supplier<KafkaStreams.State> state;

    private OpsServer(HttpServer server, PrometheusMeterRegistry registry, Supplier<KafkaStreams.State> state) {
        this.server = server;
        this.registry = registry;
        this.state = state;
        // One thread: scrapes and probes are rare and short; they must not compete with inference.
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sdatc-ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(METRICS_PATH, this::metrics);
        server.createContext(LIVE_PATH, ex -> health(ex, false));
        server.createContext(READY_PATH, ex -> health(ex, true));
        server.createContext(
                "/",
                ex -> send(
                        ex,
                        404,
                        "text/plain; charset=utf-8",
                        "not found: try /metrics," + " /health/live or /health/ready\n"));
        server.start();
    }

    /**
     * Starts serving on {@code address} (port 0 picks a free port: see {@link #port()}).
     *
     * @throws UncheckedIOException naming the address when it cannot be bound (port in use, bad
     *     address): choose another with the metrics port/bind settings
     */
    public static OpsServer start(
            InetSocketAddress address, PrometheusMeterRegistry registry, Supplier<KafkaStreams.State> state) {
        try {
            return new OpsServer(HttpServer.create(address, 0), registry, state);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve metrics and health on " + address
                            + ": is the port in use? Set another metrics port or bind address",
                    e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void metrics(HttpExchange ex) throws IOException {
        if (!allowGet(ex)) {
            return;
        }
        send(ex, 200, PROMETHEUS_TEXT, registry.scrape());
    }

    private void health(HttpExchange ex, boolean readiness) throws IOException {
        if (!allowGet(ex)) {
            return;
        }
        State current;
        try {
            current = state.get();
        } catch (RuntimeException e) {
            send(
                    ex,
                    503,
                    "application/json",
                    "{\"status\":\"DOWN\",\"state\":\"UNKNOWN\",\"error\":\""
                            + e.getClass().getSimpleName() + "\"}\n");
            return;
        }
        boolean up = readiness ? current == State.RUNNING : !DEAD.contains(current);
        String name = current == null ? "NOT_CREATED" : current.name();
        send(
                ex,
                up ? 200 : 503,
                "application/json",
                "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"state\":\"" + name + "\"}\n");
    }

    private static boolean allowGet(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        send(ex, 405, "text/plain; charset=utf-8", "method " + method + " not allowed\n");
        return false;
    }

    private static void send(HttpExchange ex, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!head) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
