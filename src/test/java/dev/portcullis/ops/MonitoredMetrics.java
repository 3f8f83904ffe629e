package dev.portcullis.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names that deploy/monitoring's alert rules and Grafana dashboard query, read from the
 * files, and the check that a service's {@code /q/metrics} exports them. Most are exported by every
 * service from start-up (checked in {@code MetricsAndHealthTest}); the few that only a service with
 * a feature turned on exports are listed in {@link Feature} and checked by a test that runs with
 * it.
 */
public final class MonitoredMetrics {

  public static final Path RULES = Path.of("deploy/monitoring/prometheus-rules.yml");
  public static final Path PROMETHEUS_RULE = Path.of("deploy/monitoring/prometheusrule.yaml");
  public static final Path DASHBOARD =
      Path.of("deploy/monitoring/grafana/portcullis-dashboard.json");

  /** Metrics exported only with a feature on, and the test (with that feature) that checks them. */
  public enum Feature {
    /** Any alert sink configured: {@code AlertingTest}. */
    ALERT_SINKS(
        "portcullis_alert_deliveries_total",
        "portcullis_alert_circuit_open",
        "portcullis_alert_backlog"),
    /** S3 / Route53 access, reverts and the inventory on: {@code RevertStreamTest}. */
    CLOUD_ACCESS(
        "portcullis_lookups_total",
        "portcullis_lookup_duration_seconds_sum",
        "portcullis_lookup_duration_seconds_count",
        "portcullis_reverts_total",
        "portcullis_inventory_last_success_seconds",
        "portcullis_inventory_runs_total");

    public final Set<String> metrics;

    Feature(String... metrics) {
      this.metrics = Set.of(metrics);
    }
  }

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*\\}");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\[\\]]*\\]");
  private static final Pattern NAME =
      Pattern.compile("(?<![A-Za-z0-9_:])((?:portcullis|kafka)_[A-Za-z0-9_:]*)");

  private MonitoredMetrics() {}

  /** Every {@code expr} of every rule in the plain rule file. */
  public static List<String> ruleExpressions() {
    List<String> out = new ArrayList<>();
    for (JsonNode group : read(YAML, RULES).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        out.add(rule.path("expr").asText());
      }
    }
    return out;
  }

  /** Every target {@code expr} of every panel of the dashboard (rows' panels included). */
  public static List<String> dashboardExpressions() {
    List<String> out = new ArrayList<>();
    collect(read(JSON, DASHBOARD).path("panels"), out);
    return out;
  }

  private static void collect(JsonNode panels, List<String> out) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.path("expr").asText());
      }
      collect(panel.path("panels"), out);
    }
  }

  /**
   * The metric names in a PromQL expression: its strings, label matchers and ranges removed first,
   * then every identifier that starts with {@code portcullis_} or {@code kafka_}.
   */
  public static Set<String> names(String promql) {
    String s = STRING.matcher(promql).replaceAll("\"\"");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = RANGE.matcher(s).replaceAll(" ");
    Set<String> out = new TreeSet<>();
    Matcher m = NAME.matcher(s);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Every metric the rules and the dashboard query. */
  public static Set<String> all() {
    Set<String> out = new TreeSet<>();
    ruleExpressions().forEach(e -> out.addAll(names(e)));
    dashboardExpressions().forEach(e -> out.addAll(names(e)));
    return out;
  }

  /** The metrics every service exports from start-up: all but the feature-gated ones. */
  public static Set<String> always() {
    Set<String> out = all();
    EnumSet.allOf(Feature.class).forEach(f -> out.removeAll(f.metrics));
    return out;
  }

  /** The metric names (series names without labels) in a Prometheus text exposition. */
  public static Set<String> exported(String exposition) {
    Set<String> out = new TreeSet<>();
    exposition
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .forEach(l -> out.add(l.split("[{ ]", 2)[0]));
    return out;
  }

  /** Fails naming every metric of {@code names} that {@code exposition} does not export. */
  public static void assertExported(String exposition, Collection<String> names) {
    assertThat(names).isNotEmpty();
    assertThat(exported(exposition))
        .as("metrics that deploy/monitoring queries, in /q/metrics")
        .containsAll(names);
  }

  static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
