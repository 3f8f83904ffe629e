package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.Corpus;
import dev.portcullis.testing.EventFields;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every event of the shared corpus, and hand-made events with nulls and missing trees, comes back
 * from {@link ChangeEventCodec} with every getter (of the event, its actor, target and outcome)
 * equal to the original's, straight from the tree and after the tree went through bytes.
 */
class ChangeEventCodecTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant ARRIVAL = Instant.parse("2001-02-03T04:05:06Z");

  /** The event after write, read; and after write, bytes, parse, read; empty when all agree. */
  static List<String> roundTripProblems(ChangeEvent e) throws Exception {
    List<String> problems = new ArrayList<>();
    ObjectNode written = ChangeEventCodec.write(e);
    ChangeEvent back = ChangeEventCodec.read(written);
    EventFields.differences(e, back).forEach(d -> problems.add("tree: " + d));
    JsonNode parsed = JSON.readTree(JSON.writeValueAsBytes(written));
    EventFields.differences(e, ChangeEventCodec.read(parsed)).forEach(d -> problems.add(d));
    if (!ChangeEventCodec.write(back).equals(written)) {
      problems.add("written again differently");
    }
    return problems;
  }

  @Test
  void everyCorpusEventRoundTrips() throws Exception {
    // Like CorpusParseTest: without the corpus this test is skipped (on CI it fails).
    EventDecoder decoder = new EventDecoder(JSON, 4 * 1024 * 1024);
    List<String> failures = new ArrayList<>();
    int events = 0;
    for (String kind : List.of("cloudtrail", "k8saudit")) {
      for (Corpus.Line line : Corpus.lines(kind)) {
        DecodedBatch batch = decoder.decode(line.json().getBytes(StandardCharsets.UTF_8), ARRIVAL);
        for (ChangeEvent e : batch.events()) {
          events++;
          roundTripProblems(e).forEach(p -> failures.add(line.ref() + ": " + p));
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(events).as("corpus events round-tripped").isGreaterThan(1000);
  }

  @Test
  void aBareEventKeepsItsDefaultsAndMissingTrees() throws Exception {
    ChangeEvent bare =
        ChangeEvent.builder()
            .id("e1", false)
            .source(ChangeEvent.CLOUDTRAIL)
            .eventTime(Instant.parse("2026-11-24T10:00:00Z"), false)
            .build();
    assertThat(roundTripProblems(bare)).isEmpty();
    ObjectNode written = ChangeEventCodec.write(bare);
    assertThat(written.has("request")).isFalse();
    assertThat(written.has("response")).isFalse();
    assertThat(written.has("raw")).isFalse();
    ChangeEvent back = ChangeEventCodec.read(written);
    assertThat(back.getRequest()).isInstanceOf(MissingNode.class);
    assertThat(back.getResponse()).isInstanceOf(MissingNode.class);
    assertThat(back.getRaw()).isInstanceOf(MissingNode.class);
    assertThat(back.getService()).isNull();
    assertThat(back.getActor().getPrincipal()).isNull();
    assertThat(back.getActor().getType()).isEqualTo(Actor.Type.UNKNOWN);
    assertThat(back.getOutcome().getSucceeded()).isNull();
    assertThat(back.getOutcome().getResponseCode()).isNull();
    assertThat(back.getRedacted()).isEmpty();
  }

  @Test
  void aFullEventKeepsEveryFieldUnderItsStableName() throws Exception {
    ObjectNode raw = JsonNodeFactory.instance.objectNode();
    raw.put("n", 1.5).put("big", 12345678901234L).putNull("nothing");
    ChangeEvent full =
        ChangeEvent.builder()
            .id("sha256:ab", true)
            .source(ChangeEvent.K8S_AUDIT)
            .eventTime(Instant.parse("2026-11-24T10:00:00.123456789Z"), true)
            .service("apps/v1")
            .action("patch")
            .readOnly(true)
            .actor(
                Actor.builder()
                    .principal("system:serviceaccount:argocd:argocd-application-controller")
                    .type(Actor.Type.SERVICE_ACCOUNT)
                    .name("argocd-application-controller")
                    .account("111122223333")
                    .userAgent("argocd/v2")
                    .sourceIp("10.0.0.1")
                    .console(true)
                    .iacTool("argocd")
                    .sessionIssuer("arn:aws:iam::111122223333:role/x")
                    .impersonatedBy("admin")
                    .groups(List.of("system:serviceaccounts", "system:authenticated"))
                    .build())
            .target(
                Target.builder()
                    .type("deployments")
                    .account("111122223333")
                    .region("eu-west-1")
                    .arn("arn:x")
                    .bucket("b")
                    .key("k")
                    .hostedZoneId("Z1")
                    .recordName("api.example.com.")
                    .namespace("prod")
                    .name("web")
                    .apiGroup("apps")
                    .resource("deployments")
                    .subresource("scale")
                    .build())
            .outcome(new Outcome(false, "Forbidden", "no", 403, true, "ResponseComplete"))
            .request(NullNode.getInstance())
            .response(JsonNodeFactory.instance.arrayNode().add("x"))
            .raw(raw)
            .redacted(List.of("/requestObject/data", "/responseObject/data"))
            .build();
    assertThat(roundTripProblems(full)).isEmpty();
    assertThat(ChangeEventCodec.read(ChangeEventCodec.write(full)).getRequest())
        .isInstanceOf(NullNode.class);
    assertThat(JSON.writeValueAsString(ChangeEventCodec.write(full)))
        .isEqualTo(
            "{\"id\":\"sha256:ab\",\"idFromContent\":true,\"source\":\"k8s-audit\","
                + "\"time\":\"2026-11-24T10:00:00.123456789Z\",\"timeEstimated\":true,"
                + "\"service\":\"apps/v1\",\"action\":\"patch\",\"readOnly\":true,"
                + "\"actor\":{\"principal\":\"system:serviceaccount:argocd:argocd-application"
                + "-controller\",\"type\":\"service-account\",\"name\":\"argocd-application"
                + "-controller\",\"account\":\"111122223333\",\"userAgent\":\"argocd/v2\","
                + "\"sourceIp\":\"10.0.0.1\",\"console\":true,\"iacTool\":\"argocd\","
                + "\"sessionIssuer\":\"arn:aws:iam::111122223333:role/x\","
                + "\"impersonatedBy\":\"admin\",\"groups\":[\"system:serviceaccounts\","
                + "\"system:authenticated\"]},"
                + "\"target\":{\"type\":\"deployments\",\"account\":\"111122223333\","
                + "\"region\":\"eu-west-1\",\"arn\":\"arn:x\",\"bucket\":\"b\",\"key\":\"k\","
                + "\"hostedZoneId\":\"Z1\",\"recordName\":\"api.example.com.\","
                + "\"namespace\":\"prod\",\"name\":\"web\",\"apiGroup\":\"apps\","
                + "\"resource\":\"deployments\",\"subresource\":\"scale\"},"
                + "\"outcome\":{\"succeeded\":false,\"errorCode\":\"Forbidden\","
                + "\"errorMessage\":\"no\",\"responseCode\":403,\"dryRun\":true,"
                + "\"stage\":\"ResponseComplete\"},"
                + "\"request\":null,\"response\":[\"x\"],"
                + "\"raw\":{\"n\":1.5,\"big\":12345678901234,\"nothing\":null},"
                + "\"redacted\":[\"/requestObject/data\",\"/responseObject/data\"]}");
  }

  @Test
  void aRequestAndResponseInsideTheRawRecordAreWrittenOnceAndTheOldFormStillReads()
      throws Exception {
    byte[] record =
        ("{\"eventVersion\":\"1.09\",\"eventSource\":\"s3.amazonaws.com\","
                + "\"eventName\":\"PutBucketTagging\",\"eventTime\":\"2026-11-20T09:00:00Z\","
                + "\"eventID\":\"e-1\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"bob\"},"
                + "\"requestParameters\":{\"bucketName\":\"b\",\"Tagging\":{\"TagSet\":[]}},"
                + "\"responseElements\":{\"x-amz-id\":\"r\"}}")
            .getBytes(StandardCharsets.UTF_8);
    ChangeEvent e = new EventDecoder(JSON, 1 << 20).decode(record, ARRIVAL).events().get(0);
    ObjectNode written = ChangeEventCodec.write(e);
    assertThat(written.path("requestAt").asText()).isEqualTo("/requestParameters");
    assertThat(written.path("responseAt").asText()).isEqualTo("/responseElements");
    assertThat(written.has("request")).isFalse();
    assertThat(written.has("response")).isFalse();
    assertThat(roundTripProblems(e)).isEmpty();

    // Records and state written before this form carried the trees themselves.
    ObjectNode old = written.deepCopy();
    old.remove("requestAt");
    old.remove("responseAt");
    old.set("request", e.getRequest().deepCopy());
    old.set("response", e.getResponse().deepCopy());
    assertThat(EventFields.differences(e, ChangeEventCodec.read(old))).isEmpty();

    ObjectNode broken = written.deepCopy();
    broken.put("requestAt", "/nowhere");
    assertThatThrownBy(() -> ChangeEventCodec.read(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/nowhere");
  }

  @Test
  void everyActorTypeAndOutcomeRoundTrips() throws Exception {
    for (Actor.Type type : Actor.Type.values()) {
      for (Boolean succeeded : new Boolean[] {null, true, false}) {
        ChangeEvent e =
            ChangeEvent.builder()
                .id("e-" + type + "-" + succeeded, false)
                .source(ChangeEvent.CLOUDTRAIL)
                .eventTime(Instant.parse("2026-11-24T10:00:00.5Z"), false)
                .actor(Actor.builder().type(type).build())
                .outcome(new Outcome(succeeded, null, null, 0, false, null))
                .build();
        assertThat(roundTripProblems(e)).as(type + " " + succeeded).isEmpty();
      }
    }
  }

  @Test
  void whatIsNoEventIsRefused() {
    assertThatThrownBy(() -> ChangeEventCodec.read(JSON.readTree("[]")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                ChangeEventCodec.read(
                    JSON.readTree("{\"source\":\"cloudtrail\",\"time\":\"2026-11-24T10:00:00Z\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id");
    assertThatThrownBy(
            () ->
                ChangeEventCodec.read(
                    JSON.readTree("{\"id\":\"e\",\"source\":\"cloudtrail\",\"time\":\"soon\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("soon");
  }
}
