package org.sdatc.enhancer.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service's {@code run} command as its own JVM, so that a test can kill it with SIGKILL (no
 * shutdown hook, no clean close, an open transaction left behind) and ask its health endpoint.
 */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final Path log;
    private final int metricsPort;

    private ServiceProcess(Process process, Path log, int metricsPort) {
        this.process = process;
        this.log = log;
        this.metricsPort = metricsPort;
    }

    /** Starts {@code run --enhancer bicubic} with {@code settings} (KEY=VALUE), logging to {@code log}. */
    static ServiceProcess start(String bootstrapServers, Path tmp, Path log, List<String> settings) throws IOException {
        return start(bootstrapServers, tmp, log, settings, java.util.Map.of());
    }

    /** As {@link #start(String, Path, Path, List)}, with {@code env} added to its environment (secrets). */
    static ServiceProcess start(
            String bootstrapServers, Path tmp, Path log, List<String> settings, java.util.Map<String, String> env)
            throws IOException {
        Files.createDirectories(tmp);
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx1g",
                "-Djava.io.tmpdir=" + tmp,
                "-cp",
                System.getProperty("java.class.path"),
                "org.sdatc.enhancer.app.Main",
                "run",
                "--bootstrap-servers",
                bootstrapServers,
                "--enhancer",
                "bicubic",
                "--set",
                "sdatc.metrics.port=" + port));
        for (String setting : settings) {
            command.add("--set");
            command.add(setting);
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Process p = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new ServiceProcess(p, log, port);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM and wait; the exit status, or -1 if it did not stop within {@code timeout}. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** The readiness answer (status code and JSON body), or null while the endpoint is not up. */
    HttpResponse<String> ready() {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The value of an unlabelled series on {@code /metrics} (say {@code sdatc_segments_in_total}), or
     * NaN while the endpoint does not answer or has no such series.
     */
    double metric(String series) {
        HttpResponse<String> r;
        try {
            r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
        if (r.statusCode() != 200) {
            return Double.NaN;
        }
        for (String line : r.body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    boolean isReady() {
        HttpResponse<String> r = ready();
        return r != null && r.statusCode() == 200;
    }

    /** Active tasks as /health/ready reports them; -1 while it does not answer. */
    int activeTasks() {
        HttpResponse<String> r = ready();
        if (r == null) {
            return -1;
        }
        String body = r.body();
        int at = body.indexOf("\"activeTasks\":");
        if (at < 0) {
            return -1;
        }
        int from = at + "\"activeTasks\":".length();
        int to = from;
        while (to < body.length() && Character.isDigit(body.charAt(to))) {
            to++;
        }
        return Integer.parseInt(body.substring(from, to));
    }

    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (isReady()) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("run exited with " + process.exitValue() + ":\n" + log());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready within " + timeout + ": " + ready() + "\n" + log());
    }

    /** SIGKILL, as an OOM killer or a lost node would. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A TCP port nothing listens on right now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The log's text once it contains {@code text}; fails naming the text and showing the log. */
    static String awaitLog(Path log, String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String content = "";
        while (System.nanoTime() < deadline) {
            content = Files.exists(log) ? Files.readString(log) : "";
            if (content.contains(text)) {
                return content;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in the log within " + timeout + ":\n" + content);
    }
}
