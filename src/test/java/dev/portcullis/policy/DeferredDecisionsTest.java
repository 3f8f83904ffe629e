package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.testing.Events;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A decision that falls due after its event (a DNS change whose mirror never came) is still the
 * policy's own decision: judged by its DRL on the original event, with enforcement overrides and
 * reviewed exceptions (by the original event's time), and only that policy's decision.
 */
class DeferredDecisionsTest {

  static final EventDecoder DECODER = new EventDecoder(new ObjectMapper(), 1 << 20);

  static final String PAIRS =
      "{\"pairs\":[{\"a\":{\"zoneId\":\"Z0813377EXAMPLEBLU\",\"apex\":\"blue.k8s.example.com\"},"
          + "\"b\":{\"zoneId\":\"Z0813377EXAMPLEBAL\",\"apex\":\"example.com\"}}],"
          + "\"windowSeconds\":60,\"allowedLatenessSeconds\":0}";

  static ChangeEvent event(String json) {
    try {
      return DECODER.decode(json.getBytes(StandardCharsets.UTF_8), Instant.EPOCH).events().get(0);
    } catch (InvalidEventException e) {
      throw new AssertionError(e);
    }
  }

  /** A console user (so manual-change-like policies could also object) creates a record. */
  static ChangeEvent create(String time) {
    return event(
        "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\","
            + "\"arn\":\"arn:aws:sts::111122223333:assumed-role/NetOps/bob\","
            + "\"accountId\":\"111122223333\"},\"eventTime\":\""
            + time
            + "\",\"eventSource\":\"route53.amazonaws.com\",\"eventName\":\"ChangeResourceRecordSets\","
            + "\"awsRegion\":\"us-east-1\",\"userAgent\":\"console.amazonaws.com\","
            + "\"requestParameters\":{\"hostedZoneId\":\"Z0813377EXAMPLEBLU\",\"changeBatch\":"
            + "{\"changes\":[{\"action\":\"CREATE\",\"resourceRecordSet\":{\"name\":"
            + "\"api.blue.k8s.example.com\",\"type\":\"A\",\"tTL\":60,\"resourceRecords\":"
            + "[{\"value\":\"192.0.2.1\"}]}}]}},\"responseElements\":{\"changeInfo\":{\"id\":"
            + "\"/change/C1\",\"status\":\"PENDING\"}},\"eventID\":\""
            + Events.newId()
            + "\",\"readOnly\":false,\"eventType\":\"AwsApiCall\",\"recipientAccountId\":"
            + "\"111122223333\"}");
  }

  static ChangeEvent later(String time) {
    return event(
        "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\","
            + "\"arn\":\"arn:aws:iam::111122223333:user/alice\"},\"eventTime\":\""
            + time
            + "\",\"eventSource\":\"route53.amazonaws.com\",\"eventName\":\"GetChange\","
            + "\"requestParameters\":{\"id\":\"C1\"},\"eventID\":\""
            + Events.newId()
            + "\",\"readOnly\":true,\"eventType\":\"AwsApiCall\"}");
  }

  static List<Decision> overdue(PolicySet set, Map<String, Enforcement> overrides) {
    Enrichment enrichment = Enrichment.standard();
    JsonNode pairs = Events.read(PAIRS);
    FactContext ctx =
        new FactContext(
            Lookups.NONE,
            set.parameters(Map.of("dns-zone-split-brain", pairs)),
            new StateStore(),
            true);
    ChangeEvent change = create("2026-11-24T10:00:00Z");
    set.evaluate(change, enrichment.facts(change, ctx), overrides);
    ChangeEvent next = later("2026-11-24T10:05:00Z");
    set.evaluate(next, enrichment.facts(next, ctx), overrides);
    List<DueEvaluation> due = enrichment.due(ctx, null);
    assertThat(due).hasSize(1);
    assertThat(due.get(0).event()).isSameAs(change);
    return set.evaluate(due.get(0), overrides);
  }

  @Test
  void theOverdueDecisionIsThePolicysWithItsOverride() throws Exception {
    PolicySet set = Folders.compiler(false).compile(Folders.rules());

    List<Decision> plain = overdue(set, Map.of());
    assertThat(plain)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.policy()).isEqualTo("dns-zone-split-brain");
              assertThat(d.action()).isEqualTo(Enforcement.ALERT);
              assertThat(d.summary())
                  .isEqualTo(
                      "bob (arn:aws:sts::111122223333:assumed-role/NetOps/bob) created"
                          + " api.blue.k8s.example.com A in zone Z0813377EXAMPLEBLU (blue.k8s.example.com)"
                          + " but api.example.com A was not created in its pair zone Z0813377EXAMPLEBAL"
                          + " (example.com) within 60 s");
              assertThat(d.details()).containsEntry("expectedName", "api.example.com.");
            });

    List<Decision> audited = overdue(set, Map.of("dns-zone-split-brain", Enforcement.AUDIT));
    assertThat(audited)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(Enforcement.AUDIT);
              assertThat(d.verdict()).isEqualTo(Enforcement.ALERT);
            });
  }

  @Test
  void aReviewedExceptionSuppressesItByTheOriginalEventsTime() throws Exception {
    PolicySet set =
        Folders.compiler(false)
            .compile(
                Folders.put(
                    Folders.rules(),
                    "exceptions/netops-zone-rebuild.yaml",
                    "policy: dns-zone-split-brain\n"
                        + "match:\n"
                        + "  principal: \"arn:aws:sts::111122223333:assumed-role/NetOps/*\"\n"
                        + "reason: NetOps rebuilds the blue cluster zone before the balancer.\n"
                        + "owner: platform-networking\n"
                        + "approvedBy: carol\n"
                        + "expires: 2026-11-24T10:01:00Z\n"));

    // The original change is at 10:00, before the exception expires (10:01); the decision comes
    // at 10:05 of event time and is still waived.
    assertThat(overdue(set, Map.of()))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(Enforcement.SUPPRESSED);
              assertThat(d.exception()).isEqualTo("netops-zone-rebuild");
            });
  }
}
