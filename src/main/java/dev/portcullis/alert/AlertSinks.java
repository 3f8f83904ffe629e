package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * The configured sinks, each with its worker: built once at start-up from {@link AlertConfig}. A
 * sink whose address is set and that is not disabled is on; a malformed address stops the start
 * with the setting's name (never its value). No sink at all is fine: alerts are then tracked but
 * sent nowhere.
 */
@Startup
@ApplicationScoped
public class AlertSinks {

  private static final Logger LOG = Logger.getLogger(AlertSinks.class);

  @Inject AlertConfig config;
  @Inject ObjectMapper json;
  @Inject AlertMetrics metrics;
  @Inject AlertDeadLetters deadLetters;

  private final PartitionGenerations generations = new PartitionGenerations();
  private final Map<String, SinkWorker> workers = new LinkedHashMap<>();

  @PostConstruct
  void start() {
    List<HttpAlertSink> sinks = new ArrayList<>();
    add(
        sinks,
        "pagerduty",
        config.pagerduty(),
        (name, c) ->
            c.routingKey().filter(k -> !k.isBlank()).isEmpty()
                ? null
                : new PagerDutySink(
                    settings(name, c, c.rateLimit(), c.burst()),
                    json,
                    HttpAlertSink.uri(c.url(), key("pagerduty", name, "url")),
                    c.routingKey().get().trim(),
                    c.clientUrl().orElse(null)));
    add(
        sinks,
        "alertmanager",
        config.alertmanager(),
        (name, c) ->
            c.url().filter(u -> !u.isBlank()).isEmpty()
                ? null
                : new AlertmanagerSink(
                    settings(name, c, c.rateLimit(), c.burst()),
                    json,
                    HttpAlertSink.uri(c.url().get(), key("alertmanager", name, "url")),
                    c.extraLabels()));
    add(
        sinks,
        "slack",
        config.slack(),
        (name, c) ->
            c.url().filter(u -> !u.isBlank()).isEmpty()
                ? null
                : new SlackSink(
                    settings(name, c, c.rateLimit(), c.burst()),
                    json,
                    HttpAlertSink.uri(c.url().get(), key("slack", name, "url"))));
    add(
        sinks,
        "webhook",
        config.webhook(),
        (name, c) ->
            c.url().filter(u -> !u.isBlank()).isEmpty()
                ? null
                : new WebhookSink(
                    settings(name, c, c.rateLimit(), c.burst()),
                    json,
                    HttpAlertSink.uri(c.url().get(), key("webhook", name, "url")),
                    c.source()));
    for (HttpAlertSink s : sinks) {
      HttpClient client =
          HttpClient.newBuilder()
              .connectTimeout(min(s.settings.timeout(), Duration.ofSeconds(10)))
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
      workers.put(s.name(), new SinkWorker(s, client, metrics, deadLetters, json, generations));
    }
    if (workers.isEmpty()) {
      LOG.info(
          "Alerting: no sink configured (portcullis.alert.pagerduty|alertmanager|slack|webhook);"
              + " alerts are de-duplicated and tracked at /v1/alerts but sent nowhere");
    } else {
      LOG.infof("Alerting to %s", workers.keySet());
    }
  }

  private <C extends AlertConfig.Sink> void add(
      List<HttpAlertSink> out,
      String type,
      Map<String, C> instances,
      BiFunction<String, C, HttpAlertSink> build) {
    instances.forEach(
        (instance, c) -> {
          String name = AlertConfig.UNNAMED.equals(instance) ? type : type + "/" + instance;
          if (!c.enabled()) {
            LOG.infof("Alert sink %s is disabled", name);
            return;
          }
          HttpAlertSink s = build.apply(name, c);
          if (s != null) {
            out.add(s);
          }
        });
  }

  private static HttpAlertSink.Settings settings(
      String name, AlertConfig.Sink c, double rate, int burst) {
    return new HttpAlertSink.Settings(
        name,
        SinkRoute.of(c.route()),
        c.timeout(),
        Map.copyOf(c.headers()),
        c.retry(),
        c.circuitBreaker(),
        rate,
        burst);
  }

  private static String key(String type, String name, String property) {
    int slash = name.indexOf('/');
    return slash < 0
        ? "portcullis.alert." + type + "." + property
        : "portcullis.alert." + type + ".\"" + name.substring(slash + 1) + "\"." + property;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The names of the sinks a trigger goes to, by their routes. */
  public List<String> route(PendingAlert a) {
    List<String> out = new ArrayList<>();
    workers.forEach(
        (name, w) -> {
          if (w.sink().settings.route().accepts(a)) {
            out.add(name);
          }
        });
    return out;
  }

  /** The worker of a sink, or null when no such sink is configured (any more). */
  SinkWorker worker(String name) {
    return workers.get(name);
  }

  Collection<SinkWorker> workers() {
    return workers.values();
  }

  PartitionGenerations generations() {
    return generations;
  }

  @PreDestroy
  void stop() {
    workers.values().forEach(SinkWorker::close);
  }
}
