package org.sdatc.enhancer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Cross-checks docker-compose.yml, deploy/ and grafana/ against each other and against the code (no
 * Docker engine or cluster here). SnakeYAML resolves the compose file's merge keys ({@code <<}); it
 * and Jackson reach the test classpath at runtime scope through kafka_2.13.
 */
@SuppressWarnings("unchecked")
class DeploymentFilesTest {

    private static Map<String, Object> yaml(String path) throws IOException {
        return new Yaml().load(Files.readString(Path.of(path)));
    }

    private static List<Map<String, Object>> yamlDocs(String path) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(Path.of(path)))) {
            docs.add((Map<String, Object>) doc);
        }
        return docs;
    }

    private static Map<String, Object> map(Object o, String key) {
        return (Map<String, Object>) ((Map<String, Object>) o).get(key);
    }

    private static List<Object> list(Object o, String key) {
        return (List<Object>) ((Map<String, Object>) o).get(key);
    }

    @Test
    void everySdatcEnvironmentVariableInComposeAndKubernetesIsASettingTheServiceKnows() throws IOException {
        Map<String, String> env = new java.util.TreeMap<>();
        Map<String, Object> services = map(yaml("docker-compose.yml"), "services");
        for (var service : services.values()) {
            Object environment = ((Map<String, Object>) service).get("environment");
            if (environment instanceof Map<?, ?> m) {
                m.forEach((k, v) -> env.put(k.toString(), String.valueOf(v)));
            }
        }
        map(yaml("deploy/k8s/configmap.yaml"), "data").forEach((k, v) -> env.put(k, String.valueOf(v)));
        map(yaml("deploy/k8s/secret.example.yaml"), "stringData").forEach((k, v) -> env.put(k, String.valueOf(v)));
        env.keySet().removeIf(k -> !k.startsWith("SDATC_"));
        assertTrue(env.size() > 5, "found the SDATC_* settings: " + env.keySet());

        // Loading fails, naming the key, on any SDATC_* variable that is not a known setting.
        org.sdatc.enhancer.app.ServiceConfig config = org.sdatc.enhancer.app.ServiceConfig.load(null, env, Map.of());
        assertEquals(OpsServer.DEFAULT_PORT, config.metricsPort());
    }

    @Test
    void composeServicesUseTheCodesMetricsPortAndFilesThatExist() throws IOException {
        Map<String, Object> services = map(yaml("docker-compose.yml"), "services");
        for (String required :
                List.of("kafka", "kafka-init", "enhancer", "enhancer-cpu", "produce", "prometheus", "grafana")) {
            assertTrue(services.containsKey(required), "docker-compose.yml lacks service " + required);
        }
        for (var entry : services.entrySet()) {
            Object volumes = ((Map<String, Object>) entry.getValue()).get("volumes");
            for (Object v : volumes == null ? List.of() : (List<Object>) volumes) {
                String source = v.toString().split(":")[0];
                if (source.startsWith("./")) {
                    assertTrue(Files.exists(Path.of(source)), entry.getKey() + " mounts missing " + source);
                }
            }
        }
        for (String name : List.of("enhancer", "enhancer-cpu")) {
            Map<String, Object> enhancer = map(services, name);
            Map<String, Object> build = map(enhancer, "build");
            assertTrue(Files.exists(Path.of(build.get("dockerfile").toString())), name + ": Dockerfile missing");
            assertEquals(
                    String.valueOf(OpsServer.DEFAULT_PORT),
                    map(enhancer, "environment").get("SDATC_METRICS_PORT").toString(),
                    name);
            assertTrue(list(enhancer, "expose").contains(String.valueOf(OpsServer.DEFAULT_PORT)), name);
            List<Object> aliases = list(map(map(enhancer, "networks"), "default"), "aliases");
            assertTrue(aliases.contains("sdatc-enhancer"), name + " must carry the alias Prometheus discovers");
        }
        Map<String, Object> gpu = map(map(map(map(services, "enhancer"), "deploy"), "resources"), "reservations");
        Map<String, Object> device = (Map<String, Object>) list(gpu, "devices").get(0);
        assertEquals(List.of("gpu"), device.get("capabilities"));
        assertEquals("nvidia", device.get("driver"));
        assertEquals(List.of("cpu"), list(map(services, "enhancer-cpu"), "profiles"));
        assertTrue(map(services, "kafka").get("image").toString().startsWith("apache/kafka:4."));

        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertTrue(dockerfile.matches("(?s).*FROM nvidia/cuda:12\\.[0-9.]+-cudnn-runtime-.*"), "CUDA 12 base");
        assertTrue(dockerfile.contains("target/sdatc-enhancer.jar") && dockerfile.contains("target/lib"));
        assertTrue(dockerfile.contains("EXPOSE " + OpsServer.DEFAULT_PORT));
    }

    @Test
    void prometheusScrapesTheEnhancersMetricsPathAndPort() throws IOException {
        Map<String, Object> job =
                (Map<String, Object>) list(yaml("deploy/prometheus/prometheus.yml"), "scrape_configs").stream()
                        .filter(j -> "sdatc-enhancer".equals(((Map<String, Object>) j).get("job_name")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no sdatc-enhancer scrape job"));
        assertEquals(OpsServer.METRICS_PATH, job.get("metrics_path"));
        Map<String, Object> dns =
                (Map<String, Object>) list(job, "dns_sd_configs").get(0);
        assertEquals(OpsServer.DEFAULT_PORT, dns.get("port"));
        assertEquals(List.of("sdatc-enhancer"), dns.get("names"));
    }

    @Test
    void grafanaProvisionsThePinnedDashboardOnTheProvisionedDatasource() throws IOException {
        JsonNode dashboard = new ObjectMapper()
                .readTree(Path.of("grafana/dashboards/sdatc-enhancer.json").toFile());
        assertEquals("sdatc-enhancer", dashboard.path("uid").asText(), "the dashboard uid must stay pinned");
        Map<String, Object> ds =
                (Map<String, Object>) list(yaml("grafana/provisioning/datasources/prometheus.yml"), "datasources")
                        .get(0);
        List<String> uids = dashboard.findValues("datasource").stream()
                .map(n -> n.path("uid").asText())
                .distinct()
                .toList();
        assertEquals(List.of(ds.get("uid").toString()), uids, "every panel uses the provisioned datasource");
        Map<String, Object> provider =
                (Map<String, Object>) list(yaml("grafana/provisioning/dashboards/provider.yml"), "providers")
                        .get(0);
        String path = map(provider, "options").get("path").toString();
        List<Object> grafanaVolumes = list(map(map(yaml("docker-compose.yml"), "services"), "grafana"), "volumes");
        assertTrue(
                grafanaVolumes.contains("./grafana/dashboards:" + path + ":ro"),
                "the provider's path " + path + " must be where compose mounts grafana/dashboards");
    }

    @Test
    void kubernetesProbesServiceMonitorAndStateVolumeAgreeWithTheCode() throws IOException {
        Map<String, Object> sts = yaml("deploy/k8s/statefulset.yaml");
        Map<String, Object> pod = map(map(sts, "spec"), "template");
        Map<String, Object> podSpec = map(pod, "spec");
        Map<String, Object> container =
                (Map<String, Object>) list(podSpec, "containers").get(0);
        Map<String, Object> port =
                (Map<String, Object>) list(container, "ports").get(0);
        assertEquals("metrics", port.get("name"));
        assertEquals(OpsServer.DEFAULT_PORT, port.get("containerPort"));
        for (var probe : Map.of(
                        "livenessProbe", OpsServer.LIVE_PATH,
                        "readinessProbe", OpsServer.READY_PATH,
                        "startupProbe", OpsServer.LIVE_PATH)
                .entrySet()) {
            Map<String, Object> http = map(map(container, probe.getKey()), "httpGet");
            assertEquals(probe.getValue(), http.get("path"), probe.getKey());
            assertEquals("metrics", http.get("port"), probe.getKey());
        }
        assertEquals(1, map(map(container, "resources"), "limits").get("nvidia.com/gpu"));
        assertTrue((Integer) podSpec.get("terminationGracePeriodSeconds") >= PipelineMetrics.MAX_EXPECTED.toSeconds());

        Map<String, Object> config = map(yaml("deploy/k8s/configmap.yaml"), "data");
        assertEquals(String.valueOf(OpsServer.DEFAULT_PORT), config.get("SDATC_METRICS_PORT"));
        String stateVolume = map(
                        (Map<String, Object>)
                                list(map(sts, "spec"), "volumeClaimTemplates").get(0),
                        "metadata")
                .get("name")
                .toString();
        Map<String, Object> mount =
                (Map<String, Object>) list(container, "volumeMounts").get(0);
        assertEquals(stateVolume, mount.get("name"));
        assertEquals(config.get("SDATC_STATE_DIR"), mount.get("mountPath"), "the state dir lives on the claim");
        List<Object> envFrom = list(container, "envFrom");
        assertEquals("sdatc-enhancer", map(envFrom.get(0), "configMapRef").get("name"));
        assertEquals(
                map(yaml("deploy/k8s/secret.example.yaml"), "metadata").get("name"),
                map(envFrom.get(1), "secretRef").get("name"));
        assertFalse(config.keySet().stream().anyMatch(k -> k.contains("PASSWORD") || k.contains("JAAS")));

        List<Map<String, Object>> services = yamlDocs("deploy/k8s/services.yaml");
        Map<String, Object> headless = services.stream()
                .filter(s -> "None".equals(map(s, "spec").get("clusterIP")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no headless Service"));
        assertEquals(map(headless, "metadata").get("name"), map(sts, "spec").get("serviceName"));

        Map<String, Object> monitor = yaml("deploy/k8s/servicemonitor.yaml");
        Map<String, Object> selector = map(map(map(monitor, "spec"), "selector"), "matchLabels");
        List<Map<String, Object>> selected = services.stream()
                .filter(s -> map(map(s, "metadata"), "labels").entrySet().containsAll(selector.entrySet()))
                .toList();
        assertEquals(1, selected.size(), "the ServiceMonitor must select exactly the metrics Service");
        Map<String, Object> endpoint =
                (Map<String, Object>) list(map(monitor, "spec"), "endpoints").get(0);
        assertEquals(OpsServer.METRICS_PATH, endpoint.get("path"));
        Map<String, Object> servicePort = (Map<String, Object>)
                list(map(selected.get(0), "spec"), "ports").get(0);
        assertEquals(endpoint.get("port"), servicePort.get("name"));
        assertEquals(port.get("name"), servicePort.get("targetPort"));
        assertEquals(
                map(map(pod, "metadata"), "labels"),
                map(selected.get(0), "spec").get("selector"),
                "the metrics Service selects the StatefulSet's pods");
    }
}
