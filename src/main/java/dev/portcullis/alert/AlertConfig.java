package dev.portcullis.alert;

import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithUnnamedKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every alerting setting, under the prefix {@code portcullis.alert}. With nothing set, alerts are
 * still routed, de-duplicated and tracked (see {@code GET /v1/alerts}) but sent nowhere.
 *
 * <p>Each sink type takes one unnamed instance ({@code portcullis.alert.slack.url=...}) and any
 * number of named ones ({@code portcullis.alert.slack."team-a".url=...}), each with its own route,
 * so decisions of team A's policies can go to team A's channel and pager. A sink is on once its
 * address is set. Sink addresses and keys are secrets: they are never logged nor shown in health or
 * metrics, only the sink's name ({@code slack}, {@code slack/team-a}).
 */
@ConfigMapping(prefix = "portcullis.alert")
public interface AlertConfig {

  /** Name of the unnamed sink of each type. */
  String UNNAMED = "<default>";

  /**
   * Kafka topic of pending alerts: trigger and resolve messages keyed by dedup key. The alert
   * channels in application.properties read the same key.
   */
  @WithDefault("portcullis.alerts")
  String topic();

  /**
   * Compacted Kafka topic with the state of every alert (dedup window, count, deliveries still
   * owed), read at start-up so a restart or another instance never pages twice.
   */
  @WithDefault("portcullis.alert-state")
  String stateTopic();

  /**
   * How long, in event time from the first page, repeats of one problem (same policy, same target)
   * are folded into that page, for policies whose metadata sets no {@code dedupWindow}.
   */
  @WithDefault("PT1H")
  Duration dedupWindow();

  /**
   * Dedup window per policy id, e.g. {@code
   * portcullis.alert.policy-dedup-window."cloudtrail-stopped"=PT4H}; wins over the policy's own.
   */
  Map<String, Duration> policyDedupWindow();

  /**
   * How long the state of an alert is kept after its last change (wall time) once nothing is owed
   * to any sink; after that a repeat pages again.
   */
  @WithDefault("P7D")
  Duration stateRetention();

  /** Pending alerts being delivered at once; reading the pending-alerts topic pauses beyond. */
  @WithDefault("10000")
  int maxInFlight();

  /** How long start-up (and a partition assignment) waits to read the alert state topic. */
  @WithDefault("PT60S")
  Duration stateLoadTimeout();

  /**
   * Readiness is DOWN while a sink's circuit breaker is open. Turn off where readiness also gates
   * traffic that must not stop when a pager is down (the admission webhook).
   */
  @WithDefault("true")
  boolean failingSinkFailsReadiness();

  /** PagerDuty Events API v2 services. */
  @WithUnnamedKey(UNNAMED)
  Map<String, PagerDuty> pagerduty();

  /** Prometheus Alertmanager instances (API v2). */
  @WithUnnamedKey(UNNAMED)
  Map<String, Alertmanager> alertmanager();

  /** Slack incoming webhooks. */
  @WithUnnamedKey(UNNAMED)
  Map<String, Slack> slack();

  /** Generic webhooks receiving CloudEvents 1.0 (structured JSON). */
  @WithUnnamedKey(UNNAMED)
  Map<String, Webhook> webhook();

  /** What every sink has. */
  interface Sink {
    /** Turns the sink off without removing its settings. */
    @WithDefault("true")
    boolean enabled();

    /** Bound on one HTTP call, from connecting to the last byte of the answer. */
    @WithDefault("PT10S")
    Duration timeout();

    /** Extra HTTP headers, e.g. {@code Authorization} for an Alertmanager behind a proxy. */
    Map<String, String> headers();

    /** Which decisions this sink gets. */
    Route route();

    /** Retries of a failed call. */
    Retry retry();

    /** Stops calling a sink that keeps failing, and tries again later. */
    CircuitBreaker circuitBreaker();
  }

  /** PagerDuty Events API v2. */
  interface PagerDuty extends Sink {
    /** Integration (routing) key of the PagerDuty service; the sink is on once it is set. */
    Optional<String> routingKey();

    /** Events API v2 endpoint. */
    @WithDefault("https://events.pagerduty.com/v2/enqueue")
    String url();

    /** Link shown as the event's client in PagerDuty, e.g. a Portcullis dashboard. */
    Optional<String> clientUrl();

    /** Calls per second (the Events API allows about 120 per minute per key); 0: unlimited. */
    @WithDefault("2")
    double rateLimit();

    /** Calls allowed at once above the rate after a quiet time. */
    @WithDefault("10")
    int burst();
  }

  /** Prometheus Alertmanager API v2. */
  interface Alertmanager extends Sink {
    /**
     * Base URL, e.g. {@code http://alertmanager:9093}; alerts go to {@code /api/v2/alerts}. For an
     * HA cluster, configure one named instance per replica, as Prometheus sends to each.
     */
    Optional<String> url();

    /**
     * Labels added to every alert, e.g. {@code
     * portcullis.alert.alertmanager.extra-labels.cluster=prod}, for Alertmanager routes and
     * inhibitions; they never replace the labels Portcullis sets.
     */
    Map<String, String> extraLabels();

    /** Calls per second; 0: unlimited. */
    @WithDefault("50")
    double rateLimit();

    /** Calls allowed at once above the rate after a quiet time. */
    @WithDefault("50")
    int burst();
  }

  /** Slack incoming webhook. */
  interface Slack extends Sink {
    /** The webhook URL ({@code https://hooks.slack.com/services/...}); a secret. */
    Optional<String> url();

    /** Calls per second (Slack allows about one message per second per webhook); 0: unlimited. */
    @WithDefault("1")
    double rateLimit();

    /** Calls allowed at once above the rate after a quiet time. */
    @WithDefault("5")
    int burst();
  }

  /** Generic webhook: each alert and resolve as one CloudEvents 1.0 JSON event. */
  interface Webhook extends Sink {
    /** Receiver URL. */
    Optional<String> url();

    /** The CloudEvents {@code source} attribute (a URI reference). */
    @WithDefault("/portcullis")
    String source();

    /** Calls per second; 0: unlimited. */
    @WithDefault("20")
    double rateLimit();

    /** Calls allowed at once above the rate after a quiet time. */
    @WithDefault("20")
    int burst();
  }

  /** Which decisions a sink gets; every condition must hold. Resolves follow their trigger. */
  interface Route {
    /** Lowest severity sent (critical, high, medium, low, info). */
    @WithDefault("info")
    Severity minSeverity();

    /** Effective actions sent; {@code audit} decisions never alert whatever is set here. */
    @WithDefault("block,alert")
    List<Enforcement> actions();

    /** Only these policy ids; default: every policy. */
    Optional<List<String>> policies();

    /** Never these policy ids; default: none. */
    Optional<List<String>> excludePolicies();

    /** Only policies carrying at least one of these tags; default: any. */
    Optional<List<String>> tags();

    /** Only policies owned by one of these teams; default: any owner. */
    Optional<List<String>> owners();
  }

  /** Exponential backoff with jitter between attempts. */
  interface Retry {
    /** Wait before the first retry; doubles per attempt. */
    @WithDefault("PT1S")
    Duration initialBackoff();

    /** Longest wait between attempts. */
    @WithDefault("PT5M")
    Duration maxBackoff();

    /**
     * Attempts before an alert is given up and written to the dead-letter topic; 0 retries until
     * the sink takes it (nothing is lost while a sink is down).
     */
    @WithDefault("0")
    int maxAttempts();
  }

  /** Per-sink circuit breaker. */
  interface CircuitBreaker {
    /** Consecutive failed calls that open the circuit (readiness then reports the sink). */
    @WithDefault("5")
    int failureThreshold();

    /** How long an open circuit waits before one trial call. */
    @WithDefault("PT30S")
    Duration openFor();
  }
}
