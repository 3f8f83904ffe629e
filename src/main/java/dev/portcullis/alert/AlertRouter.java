package dev.portcullis.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.ingest.InFlightGate;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumer of decision records from the decisions topic, with a consumer group of its own; writes
 * one pending alert per {@code alert} or {@code block} decision to the pending-alerts topic, keyed
 * by the problem's dedup key (policy and target, plus {@code details.alertScope} when a decision
 * names one; {@code audit} decisions never alert), and one resolve per decision whose {@code
 * details.status} is {@code resolved} (the guard seeing a protected object back). Each pending
 * alert carries the decision's words, who did what to which target, and the policy's owner, tags
 * and dedup window. A decision record is acknowledged once all of its pending alerts are written;
 * one that is not readable is dead-lettered. Stateless: any number of instances share the work.
 */
@ApplicationScoped
public class AlertRouter {

  /** Incoming channel of decision records (the decisions topic, alerting's own group). */
  public static final String DECISIONS_IN = "alert-decisions";

  private static final Logger LOG = Logger.getLogger(AlertRouter.class);
  private static final int USER_AGENT_MAX = 200;

  private final AlertPublisher publisher;
  private final PolicyAlerting policies;
  private final AlertMetrics metrics;
  private final AlertDeadLetters deadLetters;
  private final ObjectMapper json;
  private final InFlightGate limit = new InFlightGate(2000);

  @Inject
  public AlertRouter(
      AlertPublisher publisher,
      PolicyAlerting policies,
      AlertMetrics metrics,
      AlertDeadLetters deadLetters,
      ObjectMapper json) {
    this.publisher = publisher;
    this.policies = policies;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
    this.json = json;
  }

  @Incoming(DECISIONS_IN)
  public CompletionStage<Void> onDecision(Message<byte[]> record) {
    limit.acquire();
    CompletableFuture<Void> done;
    try {
      List<PendingAlert> alerts = alerts(json.readTree(record.getPayload()));
      List<CompletableFuture<Void>> writes = new ArrayList<>(alerts.size());
      for (PendingAlert a : alerts) {
        writes.add(publisher.publish(a).thenRun(() -> metrics.routed(a.policy(), a.kind())));
      }
      done = CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    } catch (Exception e) {
      done = invalid(record, e);
    }
    done.whenComplete(
        (ok, err) -> {
          limit.release();
          if (err == null) {
            record.ack();
          } else {
            LOG.errorf(err, "Could not write pending alerts; the decision record is read again");
            record.nack(err);
          }
        });
    return limit.awaitRoom();
  }

  /** The pending alerts of one decision record (JSON, as the stream writes it). */
  List<PendingAlert> alerts(JsonNode r) {
    if (!r.isObject()) {
      throw new IllegalArgumentException("a decision record is a JSON object");
    }
    JsonNode decisions = r.path("decisions");
    if (!decisions.isArray() || decisions.isEmpty()) {
      return List.of();
    }
    Map<String, String> target = DedupKeys.fields(r.path("target"));
    String targetRef = DedupKeys.describe(target);
    JsonNode actorNode = r.path("actor");
    PendingAlert.AlertActor actor =
        actorNode.isObject()
            ? new PendingAlert.AlertActor(
                text(actorNode, "principal"),
                text(actorNode, "name"),
                text(actorNode, "type"),
                text(actorNode, "sourceIp"),
                HttpAlertSink.truncate(text(actorNode, "userAgent"), USER_AGENT_MAX))
            : null;
    Instant eventTime = instant(text(r, "eventTime"));
    List<PendingAlert> out = new ArrayList<>();
    for (JsonNode d : decisions) {
      String policy = text(d, "policy");
      if (policy == null) {
        continue;
      }
      // A decision that says its condition cleared (the guard sees a protected object back)
      // resolves the policy's open problem with the same target.
      if ("resolved".equals(text(d.path("details"), "status"))) {
        out.add(
            PendingAlert.resolve(
                DedupKeys.of(policy, target),
                policy,
                text(d, "summary"),
                eventTime == null ? Instant.now() : eventTime));
        continue;
      }
      Enforcement action = enforcement(text(d, "action"));
      if (action != Enforcement.ALERT && action != Enforcement.BLOCK) {
        continue; // audit records, never pages
      }
      PolicyAlerting.Facts facts = policies.of(policy);
      // A decision may name a scope of its own (a revert record, "IaC keeps re-applying this"),
      // so it pages apart from the finding about the same target that it follows.
      String scope = text(d.path("details"), "alertScope");
      out.add(
          new PendingAlert(
              PendingAlert.Kind.TRIGGER,
              DedupKeys.of(scope == null ? policy : policy + "#" + scope, target),
              policy,
              text(d, "title"),
              severity(text(d, "severity")),
              action,
              enforcement(text(d, "verdict")),
              text(d, "summary"),
              text(d, "runbook"),
              text(d, "rule"),
              details(d.path("details")),
              facts.owner(),
              facts.tags(),
              facts.dedupWindow() == null ? null : facts.dedupWindow().toString(),
              text(r, "eventId"),
              text(r, "source"),
              eventTime,
              text(r, "action"),
              text(r, "service"),
              actor,
              targetRef,
              target,
              null));
    }
    return out;
  }

  private Map<String, Object> details(JsonNode d) {
    if (!(d instanceof ObjectNode o) || o.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = o.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), json.convertValue(e.getValue(), Object.class));
    }
    return m;
  }

  private CompletableFuture<Void> invalid(Message<byte[]> record, Exception e) {
    LOG.warnf("Decision record not readable for alerting, dead-lettered: %s", e.getMessage());
    metrics.invalid(AlertDeadLetters.INVALID_DECISION);
    Object key =
        record
            .getMetadata(IncomingKafkaRecordMetadata.class)
            .map(IncomingKafkaRecordMetadata::getKey)
            .orElse(null);
    return deadLetters.write(
        key == null ? null : String.valueOf(key),
        record.getPayload(),
        AlertDeadLetters.INVALID_DECISION,
        "not a decision record: " + e.getMessage(),
        Map.of());
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
  }

  private static Instant instant(String s) {
    try {
      return s == null ? null : Instant.parse(s);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Enforcement enforcement(String s) {
    try {
      return s == null ? null : Enforcement.of(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Severity severity(String s) {
    try {
      return s == null ? null : Severity.of(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
