package dev.portcullis.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The laptop demo (docker-compose.yml) without a Docker engine: pinned images, every mounted file
 * in the repository, every host port in the README's demo section, Prometheus scraping Portcullis
 * with the rule file and alerting to Alertmanager, Grafana provisioned with both, and Portcullis
 * sending its own alerts to that Alertmanager. {@code docker compose config} runs as well where
 * Docker Compose is installed.
 */
class DockerComposeTest {

  static final YAMLMapper YAML = new YAMLMapper();
  static final Path COMPOSE = Path.of("docker-compose.yml");

  static JsonNode services() throws IOException {
    return YAML.readTree(COMPOSE.toFile()).path("services");
  }

  /** Repository file (./...) by the container path it is mounted at, for one service. */
  static Map<String, Path> mounts(JsonNode service) {
    Map<String, Path> out = new HashMap<>();
    for (JsonNode v : service.path("volumes")) {
      String[] parts = v.asText().split(":");
      if (parts[0].startsWith("./")) {
        out.put(parts[1], Path.of(parts[0]));
      }
    }
    return out;
  }

  static String demoSection() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("## Laptop demo with Docker");
    assertThat(start).as("README has a section ## Laptop demo with Docker").isNotNegative();
    int end = readme.indexOf("\n## ", start + 3);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  @Test
  void everyServiceRunsAPinnedImageOrABuild() throws IOException {
    Iterator<Map.Entry<String, JsonNode>> it = services().fields();
    int n = 0;
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> s = it.next();
      n++;
      JsonNode service = s.getValue();
      if (service.has("build")) {
        continue;
      }
      String image = service.path("image").asText();
      assertThat(image).as(s.getKey()).matches("[^:@ ]+:[A-Za-z0-9._-]+");
      assertThat(image).as(s.getKey() + " is pinned").doesNotEndWith(":latest");
    }
    assertThat(services().fieldNames())
        .toIterable()
        .contains("kafka", "portcullis", "prometheus", "alertmanager", "grafana");
    assertThat(n).isGreaterThanOrEqualTo(5);
  }

  @Test
  void everyMountedFileExistsAndEveryHostPortIsInTheReadmesDemoSection() throws IOException {
    String demo = demoSection();
    assertThat(demo).contains("docker compose up");
    Iterator<Map.Entry<String, JsonNode>> it = services().fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> s = it.next();
      mounts(s.getValue())
          .values()
          .forEach(f -> assertThat(f).as(s.getKey() + " mounts " + f).exists());
      for (JsonNode port : s.getValue().path("ports")) {
        String[] parts = port.asText().split(":");
        String host = parts.length == 3 ? parts[1] : parts[0];
        assertThat(demo).as("README demo section names port " + host).contains("localhost:" + host);
      }
    }
  }

  @Test
  void prometheusScrapesPortcullisLoadsTheRulesAndAlertsToAlertmanager() throws IOException {
    JsonNode prometheus = services().path("prometheus");
    Map<String, Path> mounts = mounts(prometheus);
    String configPath = flag(prometheus, "--config.file");
    assertThat(mounts).containsKey(configPath);
    JsonNode config = YAML.readTree(mounts.get(configPath).toFile());

    boolean scrapes = false;
    for (JsonNode job : config.path("scrape_configs")) {
      boolean path = job.path("metrics_path").asText().equals("/q/metrics");
      for (JsonNode sc : job.path("static_configs")) {
        for (JsonNode t : sc.path("targets")) {
          scrapes |= path && t.asText().equals("portcullis:8080");
        }
      }
    }
    assertThat(scrapes).as("a job scrapes portcullis:8080/q/metrics").isTrue();

    List<String> ruleFiles = YAML.convertValue(config.path("rule_files"), List.class);
    assertThat(ruleFiles).isNotEmpty();
    for (String rules : ruleFiles) {
      assertThat(mounts).as("rule file " + rules + " is mounted").containsKey(rules);
      assertThat(mounts.get(rules)).isEqualTo(Path.of("./" + MonitoredMetrics.RULES));
    }
    assertThat(config.path("alerting").toString()).contains("alertmanager:9093");
    assertThat(services().path("alertmanager").path("image").asText())
        .startsWith("prom/alertmanager:");
    String am = flag(services().path("alertmanager"), "--config.file");
    assertThat(mounts(services().path("alertmanager"))).containsKey(am);

    assertThat(
            services()
                .path("portcullis")
                .path("environment")
                .path("PORTCULLIS_ALERT_ALERTMANAGER_URL")
                .asText())
        .isEqualTo("http://alertmanager:9093");
  }

  @Test
  void grafanaIsProvisionedWithThePrometheusDatasourceAndTheDashboard() throws IOException {
    Map<String, Path> mounts = mounts(services().path("grafana"));
    Path datasources = mounts.get("/etc/grafana/provisioning/datasources");
    Path dashboards = mounts.get("/etc/grafana/provisioning/dashboards");
    assertThat(datasources).isNotNull();
    assertThat(dashboards).isNotNull();

    JsonNode ds = YAML.readTree(datasources.resolve("prometheus.yml").toFile());
    assertThat(ds.path("datasources").get(0).path("type").asText()).isEqualTo("prometheus");
    assertThat(ds.path("datasources").get(0).path("url").asText())
        .isEqualTo("http://prometheus:9090");

    JsonNode provider =
        YAML.readTree(dashboards.resolve("portcullis.yml").toFile()).path("providers").get(0);
    String folder = provider.path("options").path("path").asText();
    assertThat(mounts)
        .as("the dashboard is mounted where the provider reads")
        .containsEntry(
            folder + "/portcullis-dashboard.json", Path.of("./" + MonitoredMetrics.DASHBOARD));
  }

  @Test
  void dockerComposeAcceptsTheFileWhereItIsInstalled() throws Exception {
    MonitoringRulesTest.skipWithoutTool(
        run(List.of("docker", "compose", "version")).startsWith("0\n"),
        "[docker-compose] SKIPPED: Docker Compose is not installed (`docker compose version` fails):"
            + " `docker compose config` of docker-compose.yml not run");
    String out = run(List.of("docker", "compose", "-f", COMPOSE.toString(), "config", "-q"));
    assertThat(out).startsWith("0\n");
  }

  static String flag(JsonNode service, String name) {
    for (JsonNode c : service.path("command")) {
      if (c.asText().startsWith(name + "=")) {
        return c.asText().substring(name.length() + 1);
      }
    }
    throw new AssertionError(name + " is not in the command");
  }

  /** Exit code, a newline and the output; "127" when the command is not there. */
  static String run(List<String> command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return "127\n" + e.getMessage();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "124\n" + out;
    }
    return p.exitValue() + "\n" + out;
  }
}
