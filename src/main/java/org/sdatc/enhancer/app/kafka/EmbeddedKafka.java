package org.sdatc.enhancer.app.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker (combined broker and controller) for {@code demo}: Kafka's own
 * production server ({@code kafka.Kafka} from kafka_2.13) run as a child process on this
 * application's classpath. No Docker, no external service; the broker's log goes to {@code
 * broker.log} in its directory, and the process dies with the parent.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Process process;
    private final String bootstrapServers;
    private final Path dir;

    private EmbeddedKafka(Process process, String bootstrapServers, Path dir) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.dir = dir;
    }

    /**
     * Formats storage under {@code dir} and starts the broker; returns once it answers.
     *
     * @param maxRecordBytes the broker's message.max.bytes (segments are several MB)
     */
    public static EmbeddedKafka start(Path dir, int maxRecordBytes, Duration timeout) throws IOException {
        Files.createDirectories(dir);
        int brokerPort = freePort();
        int controllerPort = freePort();
        Path config = dir.resolve("server.properties");
        String properties = String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "message.max.bytes=" + maxRecordBytes,
                "replica.fetch.max.bytes=" + maxRecordBytes,
                "");
        Files.writeString(config, properties, StandardCharsets.UTF_8);
        Path logFile = dir.resolve("broker.log");

        String clusterId = Uuid.randomUuid().toString();
        Process format = java(
                        List.of(
                                "kafka.tools.StorageTool",
                                "format",
                                "-t",
                                clusterId,
                                "-c",
                                config.toString(),
                                "--standalone",
                                "--ignore-formatted"),
                        logFile)
                .start();
        try {
            if (!format.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IOException(
                        "formatting the embedded Kafka storage failed; see " + logFile + ":\n" + tail(logFile));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting Kafka storage", e);
        }

        Process broker =
                java(List.of("kafka.Kafka", config.toString()), logFile).start();
        EmbeddedKafka kafka = new EmbeddedKafka(broker, "127.0.0.1:" + brokerPort, dir);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroyForcibly, "embedded-kafka-reaper"));
        kafka.awaitReady(timeout, logFile);
        log.info("embedded Kafka broker ready at {} (log: {})", kafka.bootstrapServers, logFile);
        return kafka;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path directory() {
        return dir;
    }

    private void awaitReady(Duration timeout, Path logFile) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the embedded Kafka broker exited with code " + process.exitValue() + "; see "
                        + logFile + ":\n" + tail(logFile));
            }
            try (Admin admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
                if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception notYet) {
                // The broker is still starting; try again.
            }
            sleep(200);
        }
        close();
        throw new IOException("the embedded Kafka broker did not answer within " + timeout + "; see " + logFile);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static ProcessBuilder java(List<String> mainAndArgs, Path logFile) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(mainAndArgs);
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
