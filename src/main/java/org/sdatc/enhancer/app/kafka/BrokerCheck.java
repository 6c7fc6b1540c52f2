package org.sdatc.enhancer.app.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Start-up diagnosis: can this service talk to its brokers, and if not, why, in a few seconds and
 * in words that name the setting to fix. Kafka's clients retry every cause alike and end with one
 * "Timed out waiting for a node assignment" after a minute.
 *
 * <p>First each bootstrap address on its own: resolve the host, open a TCP connection, and for
 * {@code SSL}/{@code SASL_SSL} complete a TLS handshake. That handshake trusts any certificate and
 * sends nothing after it: it only asks whether the listener speaks TLS (a plaintext Kafka listener
 * drops a TLS hello without a word). Then one Kafka request (describe cluster) with the service's
 * own client settings, which is where certificate trust and SASL credentials are checked.
 */
public final class BrokerCheck {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final String bootstrapServers;
    private final Map<String, String> clientSettings;
    private final String protocol;

    /**
     * @param bootstrapServers {@code host:port,...}
     * @param clientSettings the service's other client settings (security protocol, SSL, SASL)
     */
    public BrokerCheck(String bootstrapServers, Map<String, String> clientSettings) {
        this.bootstrapServers = bootstrapServers;
        this.clientSettings = Map.copyOf(clientSettings);
        this.protocol = clientSettings
                .getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
                .trim()
                .toUpperCase(Locale.ROOT);
    }

    /** One line for the start-up log: where the service connects and how. */
    public String describe() {
        StringBuilder s = new StringBuilder("kafka: bootstrap servers ")
                .append(bootstrapServers)
                .append(", security.protocol ")
                .append(protocol);
        if (protocol.startsWith("SASL")) {
            s.append(", sasl.mechanism ").append(clientSettings.getOrDefault("sasl.mechanism", "GSSAPI"));
        }
        return s.toString();
    }

    /** Null when the cluster answers; otherwise what is wrong and which setting to look at. */
    public String problem() throws InterruptedException {
        List<String> failures = new ArrayList<>();
        List<InetSocketAddress> reachable = new ArrayList<>();
        for (String server : bootstrapServers.split(",")) {
            String s = server.trim();
            if (s.isEmpty()) {
                continue;
            }
            InetSocketAddress address = parse(s);
            if (address == null) {
                failures.add("'" + s + "' is not host:port");
                continue;
            }
            String failure = probe(address);
            if (failure == null) {
                reachable.add(address);
            } else {
                failures.add(failure);
            }
        }
        if (reachable.isEmpty()) {
            return (failures.isEmpty() ? "no address" : String.join("; ", failures))
                    + " (check kafka.bootstrap.servers / SDATC_KAFKA_BOOTSTRAP_SERVERS"
                    + (isTls() ? " and kafka.security.protocol" : "") + ")";
        }
        return kafkaProblem(reachable);
    }

    private boolean isTls() {
        return protocol.equals("SSL") || protocol.equals("SASL_SSL");
    }

    private static InetSocketAddress parse(String server) {
        int colon = server.lastIndexOf(':');
        if (colon <= 0 || colon == server.length() - 1) {
            return null;
        }
        String host = server.substring(0, colon).replace("[", "").replace("]", "");
        try {
            int port = Integer.parseInt(server.substring(colon + 1));
            return port > 0 && port < 65536 ? InetSocketAddress.createUnresolved(host, port) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Null when the address accepts a connection (and a TLS handshake where TLS is configured). */
    private String probe(InetSocketAddress unresolved) {
        String where = unresolved.getHostString() + ":" + unresolved.getPort();
        InetAddress ip;
        try {
            ip = InetAddress.getByName(unresolved.getHostString());
        } catch (UnknownHostException e) {
            return "cannot resolve host '" + unresolved.getHostString() + "' of " + where;
        }
        InetSocketAddress address = new InetSocketAddress(ip, unresolved.getPort());
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) CONNECT_TIMEOUT.toMillis());
            if (isTls()) {
                return handshake(socket, unresolved, where);
            }
            return null;
        } catch (ConnectException e) {
            return "connection refused by " + where + ": no broker listens there";
        } catch (SocketTimeoutException e) {
            return "no answer from " + where + " within " + CONNECT_TIMEOUT.toSeconds()
                    + " s (wrong address, or a firewall drops the connection)";
        } catch (NoRouteToHostException e) {
            return "no route to " + where;
        } catch (IOException e) {
            return "cannot connect to " + where + ": " + e.getMessage();
        }
    }

    private String handshake(Socket socket, InetSocketAddress unresolved, String where) throws IOException {
        socket.setSoTimeout((int) CONNECT_TIMEOUT.toMillis());
        try (SSLSocket tls = (SSLSocket) anyCertificate()
                .getSocketFactory()
                .createSocket(socket, unresolved.getHostString(), unresolved.getPort(), true)) {
            tls.startHandshake();
            return null;
        } catch (SocketTimeoutException e) {
            return "TLS handshake with " + where + " failed: no TLS answer within " + CONNECT_TIMEOUT.toSeconds()
                    + " s; is it a PLAINTEXT listener? Check kafka.security.protocol (" + protocol
                    + ") and the port in kafka.bootstrap.servers";
        } catch (SSLException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("alert")) {
                // The listener speaks TLS and refused us: client certificate, protocol version.
                return "TLS handshake with " + where + " failed: " + message
                        + "; check kafka.ssl.keystore.* (client certificate) and kafka.ssl.enabled.protocols";
            }
            return "TLS handshake with " + where + " failed (" + message
                    + "): the listener does not speak TLS, it is probably a PLAINTEXT listener; check"
                    + " kafka.security.protocol (" + protocol + ") and the port in kafka.bootstrap.servers";
        }
    }

    /** A Kafka request with the service's own settings: trust, credentials, a broker that answers. */
    private String kafkaProblem(List<InetSocketAddress> reachable) throws InterruptedException {
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis());
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, (int) CONNECT_TIMEOUT.toMillis());
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, (int) CONNECT_TIMEOUT.toMillis());
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "sdatc-broker-check");
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) REQUEST_TIMEOUT.toMillis()))
                    .clusterId()
                    .get(REQUEST_TIMEOUT.toMillis() + 2000, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return kafkaFailure(e.getCause(), reachable);
        } catch (TimeoutException e) {
            return kafkaFailure(e, reachable);
        } catch (RuntimeException e) {
            // Admin.create refuses settings it cannot use (a missing truststore file, a bad JAAS line).
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return "the Kafka client cannot start with these settings: " + e.getMessage()
                    + (cause != e ? " (" + cause.getMessage() + ")" : "")
                    + "; check the kafka.ssl.* and kafka.sasl.* settings";
        }
    }

    private String kafkaFailure(Throwable cause, List<InetSocketAddress> reachable) {
        String where = reachable.stream()
                .map(a -> a.getHostString() + ":" + a.getPort())
                .toList()
                .toString();
        if (cause instanceof SslAuthenticationException) {
            // Kafka says only "SSL handshake failed"; the JDK's reason is at the end of the chain.
            String root = rootMessage(cause);
            String untrusted = root.contains("PKIX") || root.contains("certification path")
                    ? ": the broker's certificate is not trusted"
                    : "";
            return "TLS handshake with " + where + " failed: " + cause.getMessage()
                    + (root.equals(cause.getMessage()) ? "" : " (" + root + ")") + untrusted
                    + "; check kafka.ssl.truststore.* (the broker's certificate) and kafka.ssl.keystore.*";
        }
        if (cause instanceof AuthenticationException) {
            return "authentication failed at " + where + " (" + protocol + "): " + cause.getMessage()
                    + "; check kafka.sasl.mechanism and kafka.sasl.jaas.config (SDATC_KAFKA_SASL_JAAS_CONFIG)";
        }
        if (cause instanceof AuthorizationException) {
            return "not authorized at " + where + ": " + cause.getMessage()
                    + "; grant this principal access (the user in kafka.sasl.jaas.config or the certificate)";
        }
        if (cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            String hint = isTls()
                    ? "check kafka.security.protocol (" + protocol + ") and kafka.ssl.*"
                    : "if the listener uses TLS, set kafka.security.protocol=SSL or SASL_SSL; if it uses SASL,"
                            + " SASL_PLAINTEXT or SASL_SSL (now " + protocol + ")";
            if (!isTls() && speaksTls(reachable)) {
                hint = "the listener speaks TLS: set kafka.security.protocol=SSL (or SASL_SSL)";
            }
            return where + " accept connections but answer no Kafka request within " + REQUEST_TIMEOUT.toSeconds()
                    + " s; " + hint;
        }
        return "Kafka request to " + where + " failed: " + cause;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    private static boolean speaksTls(List<InetSocketAddress> reachable) {
        for (InetSocketAddress a : reachable) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(a.getHostString(), a.getPort()), (int) CONNECT_TIMEOUT.toMillis());
                socket.setSoTimeout((int) CONNECT_TIMEOUT.toMillis());
                try (SSLSocket tls = (SSLSocket) anyCertificate()
                        .getSocketFactory()
                        .createSocket(socket, a.getHostString(), a.getPort(), true)) {
                    tls.startHandshake();
                    return true;
                }
            } catch (IOException e) {
                // not TLS, or not reachable any more: no hint
            }
        }
        return false;
    }

    /** For the probe only: does the listener speak TLS at all. Kafka's own client checks trust. */
    private static SSLContext anyCertificate() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AnyCertificate()}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS", e);
        }
    }

    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
