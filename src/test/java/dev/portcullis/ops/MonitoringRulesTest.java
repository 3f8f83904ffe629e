package dev.portcullis.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * deploy/monitoring's alert rules and dashboard, as files: promtool accepts the rules, the
 * PrometheusRule holds the same groups, every alert has its labels, annotations and a runbook
 * section, and the dashboard is a Grafana dashboard over the Prometheus datasource variable. That
 * the metrics they query exist is checked against a running service ({@link MonitoredMetrics}).
 */
class MonitoringRulesTest {

  static final ObjectMapper YAML = new YAMLMapper();
  static final Path RUNBOOKS = Path.of("docs/runbooks.md");
  static final String RUNBOOK_BASE =
      "https://github.com/portcullis-dev/portcullis/blob/main/docs/runbooks.md#";

  @Test
  void promtoolAcceptsTheRuleFile() throws Exception {
    skipWithoutTool(
        onPath("promtool"),
        "[promtool] SKIPPED: promtool is not installed (apt-get install -y prometheus; .ci/run does"
            + " this): `promtool check rules` of deploy/monitoring/prometheus-rules.yml not run");
    Process p =
        new ProcessBuilder("promtool", "check", "rules", MonitoredMetrics.RULES.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  void thePrometheusRuleHoldsExactlyTheGroupsOfTheRuleFile() throws IOException {
    JsonNode plain = YAML.readTree(MonitoredMetrics.RULES.toFile());
    JsonNode crd = YAML.readTree(MonitoredMetrics.PROMETHEUS_RULE.toFile());
    assertThat(crd.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(crd.path("kind").asText()).isEqualTo("PrometheusRule");
    assertThat(crd.path("metadata").path("name").asText()).isNotBlank();
    assertThat(crd.path("spec").size()).isEqualTo(1);
    assertThat(plain.size()).isEqualTo(1);
    assertThat(crd.path("spec").path("groups")).isEqualTo(plain.path("groups"));
  }

  @Test
  void everyAlertHasASeverityASummaryADescriptionAndARunbookSection() throws IOException {
    Set<String> sections = runbookAnchors();
    Set<String> names = new HashSet<>();
    for (JsonNode alert : alerts()) {
      String name = alert.path("alert").asText();
      assertThat(name).as("every rule is an alert").matches("Portcullis[A-Za-z]+");
      assertThat(names.add(name)).as("alert names are unique: " + name).isTrue();
      assertThat(alert.path("expr").asText()).as(name).isNotBlank();
      assertThat(alert.path("labels").path("severity").asText())
          .as(name)
          .isIn("critical", "warning", "info");
      JsonNode a = alert.path("annotations");
      assertThat(a.path("summary").asText()).as(name).isNotBlank();
      assertThat(a.path("description").asText()).as(name).isNotBlank();
      String anchor = name.toLowerCase(Locale.ROOT);
      assertThat(a.path("runbook_url").asText()).as(name).isEqualTo(RUNBOOK_BASE + anchor);
      assertThat(sections).as("docs/runbooks.md has a section ## " + name).contains(anchor);
    }
    assertThat(names)
        .as("the alerts issue 15 asks for")
        .contains(
            "PortcullisConsumerLagGrowing",
            "PortcullisDeadLetters",
            "PortcullisPolicyReloadFailing",
            "PortcullisAlertSinkCircuitOpen",
            "PortcullisWebhookErrors",
            "PortcullisWebhookLatencyHigh",
            "PortcullisGuardCheckFailing",
            "PortcullisInventoryStale",
            "PortcullisInventoryFailing",
            "PortcullisLookupsFailing");
  }

  @Test
  void metricNamesAreReadFromPromQlWithoutLabelValuesOrFunctions() {
    assertThat(
            MonitoredMetrics.names(
                "sum by (job, le) (rate(portcullis_a_seconds_bucket{x=~\"portcullis_no|b\","
                    + " y!=\"kafka_no\"}[5m:1m])) / on() kafka_b_max > 0.5"))
        .containsExactly("kafka_b_max", "portcullis_a_seconds_bucket");
    assertThat(MonitoredMetrics.exported("# TYPE a counter\na_total{x=\"1\"} 2.0\nb 1.0\n"))
        .containsExactly("a_total", "b");
  }

  @Test
  void theDashboardIsAGrafanaDashboardOverThePrometheusDatasourceVariable() throws IOException {
    JsonNode d = new ObjectMapper().readTree(MonitoredMetrics.DASHBOARD.toFile());
    assertThat(d.path("schemaVersion").asInt()).isBetween(36, 41);
    assertThat(d.path("uid").asText()).isEqualTo("portcullis");
    assertThat(d.path("title").asText()).isNotBlank();
    JsonNode variable = null;
    for (JsonNode v : d.path("templating").path("list")) {
      if (v.path("name").asText().equals("DS_PROMETHEUS")) {
        variable = v;
      }
    }
    assertThat(variable).as("a DS_PROMETHEUS datasource variable").isNotNull();
    assertThat(variable.path("type").asText()).isEqualTo("datasource");
    assertThat(variable.path("query").asText()).isEqualTo("prometheus");

    Set<Integer> ids = new HashSet<>();
    List<JsonNode> panels = new ArrayList<>();
    d.path("panels").forEach(panels::add);
    assertThat(panels).hasSizeGreaterThan(10);
    for (JsonNode p : panels) {
      String title = p.path("title").asText();
      assertThat(ids.add(p.path("id").asInt())).as("panel ids are unique: " + title).isTrue();
      JsonNode pos = p.path("gridPos");
      assertThat(pos.path("x").asInt() + pos.path("w").asInt()).as(title).isBetween(1, 24);
      if (p.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(p.path("datasource").path("uid").asText()).as(title).isEqualTo("${DS_PROMETHEUS}");
      assertThat(p.path("targets")).as(title).isNotEmpty();
      for (JsonNode t : p.path("targets")) {
        assertThat(t.path("datasource").path("uid").asText())
            .as(title)
            .isEqualTo("${DS_PROMETHEUS}");
        assertThat(MonitoredMetrics.names(t.path("expr").asText()))
            .as("panel %s queries a metric", title)
            .isNotEmpty();
      }
    }
    Set<String> queried = new HashSet<>();
    MonitoredMetrics.dashboardExpressions().forEach(e -> queried.addAll(MonitoredMetrics.names(e)));
    assertThat(queried)
        .as("the operations issue 15 asks the dashboard to show")
        .contains(
            "portcullis_events_consumed_total",
            "kafka_consumer_fetch_manager_records_lag_max",
            "portcullis_decision_lag_seconds_bucket",
            "portcullis_evaluation_seconds_bucket",
            "portcullis_admission_latency_seconds_bucket",
            "portcullis_admission_errors_total",
            "portcullis_decisions_total",
            "portcullis_dead_letters_total",
            "portcullis_lookups_total",
            "portcullis_reverts_total",
            "portcullis_alert_deliveries_total",
            "portcullis_alert_circuit_open",
            "portcullis_policy_reloads_total",
            "portcullis_policy_reload_failing",
            "portcullis_guard_check_failures_total",
            "portcullis_inventory_last_success_seconds");
  }

  @Test
  void everyFeatureGatedMetricIsQueriedAndCheckedByItsFeaturesTest() throws IOException {
    Set<String> all = MonitoredMetrics.all();
    for (MonitoredMetrics.Feature f : MonitoredMetrics.Feature.values()) {
      assertThat(all).as("no stale entry in %s", f).containsAll(f.metrics);
    }
    assertThat(Files.readString(Path.of("src/test/java/dev/portcullis/alert/AlertingTest.java")))
        .contains("Feature.ALERT_SINKS");
    assertThat(
            Files.readString(
                Path.of("src/test/java/dev/portcullis/enforce/revert/RevertStreamTest.java")))
        .contains("Feature.CLOUD_ACCESS");
  }

  @Test
  void ciInstallsPromtool() throws IOException {
    assertThat(Files.readString(Path.of(".ci/run")))
        .contains("command -v promtool")
        .contains("need+=(prometheus)");
  }

  static List<JsonNode> alerts() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode group : YAML.readTree(MonitoredMetrics.RULES.toFile()).path("groups")) {
      group.path("rules").forEach(out::add);
    }
    return out;
  }

  /** GitHub's anchors of the second-level headings of docs/runbooks.md. */
  static Set<String> runbookAnchors() throws IOException {
    Set<String> out = new HashSet<>();
    for (String line : Files.readAllLines(RUNBOOKS)) {
      if (line.startsWith("## ")) {
        out.add(
            line.substring(3)
                .trim()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9 _-]", "")
                .replace(' ', '-'));
      }
    }
    return out;
  }

  /** Skips the test, saying so in one line on the console, when a tool is missing. */
  static void skipWithoutTool(boolean installed, String line) {
    if (!installed) {
      System.out.println(line);
    }
    Assumptions.assumeTrue(installed, line);
  }

  static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
