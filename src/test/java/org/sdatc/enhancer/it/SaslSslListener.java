package org.sdatc.enhancer.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a test broker's SASL_SSL listener is made of, generated for each test run: a self-signed
 * certificate for {@code localhost} in a PKCS12 keystore (JDK {@code keytool}), a PKCS12 truststore
 * holding it (what a client is given), and SASL/PLAIN users with random passwords: {@code broker}
 * (inter-broker) and {@link #USER} (the service).
 */
public record SaslSslListener(
        Path keystore, Path truststore, String storePassword, String brokerPassword, String password) {
    public static final String USER = "sdatc";
    public static final String MECHANISM = "PLAIN";
    static final String BROKER_USER = "broker";

    /** Generates the stores under {@code dir} (which must exist). */
    public static SaslSslListener generate(Path dir)
            throws IOException, InterruptedException, GeneralSecurityException {
        String storePassword = secret();
        Path keystore = dir.resolve("broker-keystore.p12");
        Path truststore = dir.resolve("client-truststore.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(List.of(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "broker",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=localhost, O=sdatc-enhancer tests",
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass",
                        storePassword))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool -genkeypair failed: " + out);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, storePassword.toCharArray());
        }
        Certificate certificate = keys.getCertificate("broker");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("sdatc-test-broker", certificate);
        try (OutputStream o = Files.newOutputStream(truststore)) {
            trust.store(o, storePassword.toCharArray());
        }
        return new SaslSslListener(keystore, truststore, storePassword, secret(), secret());
    }

    /** The broker's settings for its client listener (named {@code listener}, lower case). */
    Map<String, Object> brokerSettings(String listener) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("ssl.keystore.type", "PKCS12");
        s.put("ssl.keystore.location", keystore.toString());
        s.put("ssl.keystore.password", storePassword);
        s.put("ssl.key.password", storePassword);
        // The broker is its own client for transaction markers: it must trust itself.
        s.put("ssl.truststore.type", "PKCS12");
        s.put("ssl.truststore.location", truststore.toString());
        s.put("ssl.truststore.password", storePassword);
        s.put("ssl.protocol", "TLSv1.3");
        s.put("ssl.enabled.protocols", "TLSv1.3,TLSv1.2");
        s.put("ssl.endpoint.identification.algorithm", "https");
        s.put("sasl.enabled.mechanisms", MECHANISM);
        s.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        s.put(
                "listener.name." + listener + ".plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + BROKER_USER
                        + "\" password=\"" + brokerPassword + "\" user_" + BROKER_USER + "=\"" + brokerPassword
                        + "\" user_" + USER + "=\"" + password + "\";");
        // Authentication is under test, not ACLs: no authorizer (the test kit's denies all by default).
        s.put("authorizer.class.name", "");
        return s;
    }

    /** Client settings (without the {@code kafka.} prefix) for {@link #USER} with the right password. */
    public Map<String, String> clientSettings() {
        return clientSettings(password);
    }

    /** Client settings for {@link #USER} with {@code password}, trusting the broker's certificate. */
    public Map<String, String> clientSettings(String password) {
        Map<String, String> s = new LinkedHashMap<>(untrustingClientSettings(password));
        s.put("ssl.truststore.type", "PKCS12");
        s.put("ssl.truststore.location", truststore.toString());
        s.put("ssl.truststore.password", storePassword);
        return s;
    }

    /** Client settings without a truststore: the JDK's default CAs, which do not know the broker's. */
    public Map<String, String> untrustingClientSettings(String password) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("security.protocol", "SASL_SSL");
        s.put("sasl.mechanism", MECHANISM);
        s.put("sasl.jaas.config", jaas(USER, password));
        return s;
    }

    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    private static String secret() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
