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
import org.apache.kafka.streams.KafkaStreams.State;

/**
 * The operations endpoint: {@code GET /metrics} (Prometheus text exposition), {@code GET
 * /health/live} and {@code GET /health/ready} (200 or 503, JSON body naming the Kafka Streams
 * state and the active tasks).
 *
 * <p>Readiness is RUNNING with at least one active task: while rebalancing or restoring state the
 * instance processes nothing, and a RUNNING instance without tasks (a restarted one whose dead
 * predecessor still holds them until its session times out, or one more instance than partitions)
 * processes nothing either. Liveness fails on ERROR or NOT_RUNNING, states the client never leaves
 * by itself, and when the brokers stayed unreachable at start-up past the grace period; a long
 * rebalance must not get the pod killed. A null state means the client is not created yet: alive
 * (within the grace), not ready.
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
    private final Supplier<HealthStatus> state;

    private OpsServer(HttpServer server, PrometheusMeterRegistry registry, Supplier<HealthStatus> state) {
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
            InetSocketAddress address, PrometheusMeterRegistry registry, Supplier<HealthStatus> state) {
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
        HealthStatus health;
        try {
            health = state.get();
        } catch (RuntimeException e) {
            send(
                    ex,
                    503,
                    "application/json",
                    "{\"status\":\"DOWN\",\"state\":\"UNKNOWN\",\"error\":\""
                            + e.getClass().getSimpleName() + "\"}\n");
            return;
        }
        State current = health.state();
        boolean up = readiness
                ? current == State.RUNNING && health.activeTasks() > 0
                : !DEAD.contains(current) && !health.brokerDownTooLong();
        String name = current == null ? "NOT_CREATED" : current.name();
        StringBuilder body = new StringBuilder()
                .append("{\"status\":\"")
                .append(up ? "UP" : "DOWN")
                .append("\",\"state\":\"")
                .append(name)
                .append("\",\"activeTasks\":")
                .append(health.activeTasks());
        if (health.brokerProblem() != null) {
            body.append(",\"kafka\":\"").append(json(health.brokerProblem())).append('"');
        }
        send(ex, up ? 200 : 503, "application/json", body.append("}\n").toString());
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
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
