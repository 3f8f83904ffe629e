package dev.portcullis.enforce.revert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.enrich.route53.RecordSetKey;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.FakeRoute53;
import dev.portcullis.testing.FakeRoute53.RecordSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * Route53 weight reverts through the AWS SDK v2 client against {@link FakeRoute53} (a fake of
 * Route53's REST/XML API written from its reference, all-or-nothing change batches included): one
 * batch puts every weight back, deleted members come back, created ones go, later changes are left
 * alone, a revert found done is not repeated, a dry run sends nothing, a failed call is reported.
 */
class Route53RevertsTest {

  static final String ZONE = "Z0813377EXAMPLEWGT";
  static final RecordSetKey KEY = new RecordSetKey(ZONE, "api.weighted.example.com.", "A");

  FakeRoute53 fake;
  Route53Client client;

  @BeforeEach
  void start() {
    fake = FakeRoute53.start();
    fake.createZone(ZONE, "weighted.example.com");
    client =
        Route53Client.builder()
            .endpointOverride(fake.endpoint())
            .region(Region.AWS_GLOBAL)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("AKIAFAKEROUTE53TESTS", "fake-secret-for-signing")))
            .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    fake.close();
  }

  Route53Reverts reverts(boolean dryRun) {
    return new Route53Reverts(client, dryRun, 5);
  }

  static RecordSet member(String id, long weight) {
    return RecordSet.weightedAlias("api.weighted.example.com", "A", id, weight);
  }

  Map<String, Long> weights() {
    Map<String, Long> out = new TreeMap<>();
    for (RecordSet s : fake.recordSets(ZONE)) {
      if (s.weight() != null) {
        out.put(s.setIdentifier(), s.weight());
      }
    }
    return out;
  }

  static Route53Reverts.WeightsPlan plan(
      Map<String, Long> before, Map<String, Long> after, Map<String, String> deleted) {
    Map<String, com.fasterxml.jackson.databind.JsonNode> d = new TreeMap<>();
    deleted.forEach((m, json) -> d.put(m, Events.read(json)));
    return new Route53Reverts.WeightsPlan(
        ZONE, "alice", "shift-event", List.of(new Route53Reverts.Group(KEY, before, after, d)));
  }

  @Test
  void oneBatchPutsEveryWeightBack() {
    // After alice's change: blue 0, green 100 (before: blue 100, green 0).
    fake.seed(ZONE, member("blue", 0), member("green", 100));
    int changes = fake.calls("ChangeResourceRecordSets");

    RevertOutcome o =
        reverts(false)
            .weights(
                plan(
                    Map.of("blue", 100L, "green", 0L),
                    Map.of("blue", 0L, "green", 100L),
                    Map.of()));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DONE);
    assertThat(weights()).isEqualTo(Map.of("blue", 100L, "green", 0L));
    assertThat(fake.calls("ChangeResourceRecordSets")).isEqualTo(changes + 1);
    assertThat(o.summary())
        .isEqualTo(
            "Portcullis put back the weights of api.weighted.example.com A in zone "
                + ZONE
                + " (blue 100, green 0) that alice's change had made blue 0, green 100, in one"
                + " change batch");
    @SuppressWarnings("unchecked")
    Map<String, Object> batch = (Map<String, Object>) o.calls().get(0).get("changeBatch");
    assertThat(batch.get("comment")).isEqualTo("Portcullis revert of event shift-event");
    // Conditional: each member's current set is deleted exactly as listed and created again.
    assertThat(batch.get("changes").toString())
        .contains("action=DELETE", "action=CREATE", "setIdentifier=blue", "weight=100")
        .contains("setIdentifier=green", "weight=0")
        .contains("dNSName=blue-lb-1234567890.us-east-1.elb.amazonaws.com.");
    assertThat(o.details()).containsKey("changeId");
    // The alias targets were kept as they are.
    assertThat(fake.recordSets(ZONE).stream().filter(s -> "blue".equals(s.setIdentifier())))
        .allMatch(s -> s.aliasDnsName().startsWith("blue-lb-"));
  }

  @Test
  void aDeletedMemberComesBackAndACreatedOneGoes() {
    // alice deleted blue (100) and created canary (100): green stays 50.
    fake.seed(ZONE, member("green", 50), member("canary", 100));
    String deletedBlue =
        "{\"name\":\"api.weighted.example.com\",\"type\":\"A\",\"setIdentifier\":\"blue\","
            + "\"weight\":100,\"aliasTarget\":{\"hostedZoneId\":\"Z35SXDOTRQ7X7K\",\"dNSName\":"
            + "\"blue-lb-1234567890.us-east-1.elb.amazonaws.com\",\"evaluateTargetHealth\":true}}";

    RevertOutcome o =
        reverts(false)
            .weights(
                plan(
                    Map.of("blue", 100L, "green", 50L),
                    Map.of("green", 50L, "canary", 100L),
                    Map.of("blue", deletedBlue)));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DONE);
    assertThat(weights()).isEqualTo(Map.of("blue", 100L, "green", 50L));
    RecordSet blue =
        fake.recordSets(ZONE).stream()
            .filter(s -> "blue".equals(s.setIdentifier()))
            .findFirst()
            .orElseThrow();
    assertThat(blue.aliasZoneId()).isEqualTo("Z35SXDOTRQ7X7K");
    assertThat(blue.evaluateTargetHealth()).isTrue();
    assertThat(o.summary()).contains("(blue 100, canary absent, green 50)");
  }

  @Test
  void aLaterChangeIsLeftAlone() {
    fake.seed(ZONE, member("blue", 30), member("green", 70)); // someone moved it on
    int changes = fake.calls("ChangeResourceRecordSets");

    RevertOutcome o =
        reverts(false)
            .weights(
                plan(
                    Map.of("blue", 100L, "green", 0L),
                    Map.of("blue", 0L, "green", 100L),
                    Map.of()));

    assertThat(o.reason()).isEqualTo(RevertOutcome.LATER_CHANGE);
    assertThat(fake.calls("ChangeResourceRecordSets")).isEqualTo(changes);
    assertThat(weights()).isEqualTo(Map.of("blue", 30L, "green", 70L));
    assertThat(o.summary())
        .isEqualTo(
            "Portcullis left the weights of api.weighted.example.com A in zone "
                + ZONE
                + " alone: they have changed since alice's change (blue 30, green 70 now), so a"
                + " later change is in force");
  }

  @Test
  void aChangeBetweenTheListingAndTheBatchIsNotOverwritten() {
    fake.seed(ZONE, member("blue", 0), member("green", 100));
    // Bob moves the weights on after Portcullis listed them and before its batch arrives.
    fake.beforeNextChange(() -> fake.seed(ZONE, member("blue", 30), member("green", 70)));
    int changes = fake.calls("ChangeResourceRecordSets");

    RevertOutcome o =
        reverts(false)
            .weights(
                plan(
                    Map.of("blue", 100L, "green", 0L),
                    Map.of("blue", 0L, "green", 100L),
                    Map.of()));

    // Route53 refused the batch (its DELETEs no longer match), so Bob's weights stand.
    assertThat(fake.calls("ChangeResourceRecordSets")).isEqualTo(changes + 1);
    assertThat(weights()).isEqualTo(Map.of("blue", 30L, "green", 70L));
    assertThat(o.status()).isEqualTo(RevertOutcome.Status.SKIPPED);
    assertThat(o.reason()).isEqualTo(RevertOutcome.LATER_CHANGE);
    assertThat(o.summary())
        .isEqualTo(
            "Portcullis left the weights of api.weighted.example.com A in zone "
                + ZONE
                + " alone: they changed while it was putting back alice's change (blue 30, green"
                + " 70 now), and Route53 refused the revert, so a later change is in force");
  }

  @Test
  void aRevertFoundDoneIsNotRepeated() {
    fake.seed(ZONE, member("blue", 100), member("green", 0));
    int changes = fake.calls("ChangeResourceRecordSets");

    RevertOutcome o =
        reverts(false)
            .weights(
                plan(
                    Map.of("blue", 100L, "green", 0L),
                    Map.of("blue", 0L, "green", 100L),
                    Map.of()));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.SKIPPED);
    assertThat(o.reason()).isEqualTo(RevertOutcome.ALREADY_REVERTED);
    assertThat(fake.calls("ChangeResourceRecordSets")).isEqualTo(changes);
  }

  @Test
  void aDryRunListsButSendsNothing() {
    fake.seed(ZONE, member("blue", 0), member("green", 100));
    int changes = fake.calls("ChangeResourceRecordSets");
    int lists = fake.calls("ListResourceRecordSets");

    RevertOutcome o =
        reverts(true)
            .weights(
                plan(
                    Map.of("blue", 100L, "green", 0L),
                    Map.of("blue", 0L, "green", 100L),
                    Map.of()));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.DRY_RUN);
    assertThat(o.summary()).startsWith("Dry run: Portcullis would have put back the weights");
    assertThat(o.calls().get(0)).containsEntry("operation", "ChangeResourceRecordSets");
    assertThat(fake.calls("ChangeResourceRecordSets")).isEqualTo(changes);
    assertThat(fake.calls("ListResourceRecordSets")).isGreaterThan(lists);
    assertThat(weights()).isEqualTo(Map.of("blue", 0L, "green", 100L));
  }

  @Test
  void aFailedCallIsAFailedRevert() {
    fake.seed(ZONE, member("blue", 0), member("green", 100));
    fake.failNext(
        403, "AccessDenied", "User is not authorized to perform route53:ListResourceRecordSets");

    RevertOutcome o =
        reverts(false)
            .weights(
                plan(
                    Map.of("blue", 100L, "green", 0L),
                    Map.of("blue", 0L, "green", 100L),
                    Map.of()));

    assertThat(o.status()).isEqualTo(RevertOutcome.Status.FAILED);
    assertThat(o.reason()).isEqualTo(RevertOutcome.API_ERROR);
    assertThat(o.summary())
        .startsWith(
            "Portcullis could not revert the weights of api.weighted.example.com A in zone "
                + ZONE
                + " that alice changed: it failed to list the record sets of"
                + " api.weighted.example.com A in zone "
                + ZONE
                + " (Route53 answered 403 AccessDenied");
    assertThat(weights()).isEqualTo(Map.of("blue", 0L, "green", 100L));
  }

  @Test
  void aDeletedMemberWhoseRecordSetIsUnknownIsNotGuessed() {
    fake.seed(ZONE, member("green", 100));
    RevertOutcome o =
        reverts(false)
            .weights(plan(Map.of("blue", 100L, "green", 0L), Map.of("green", 100L), Map.of()));
    assertThat(o.reason()).isEqualTo(RevertOutcome.PREVIOUS_UNKNOWN);
    assertThat(weights()).isEqualTo(Map.of("green", 100L));
  }
}
