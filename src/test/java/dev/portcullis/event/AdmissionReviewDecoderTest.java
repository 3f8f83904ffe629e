package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.AdmissionReviews;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** AdmissionReview documents as the API server sends them, decoded into change events. */
class AdmissionReviewDecoderTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  final AdmissionReviewDecoder decoder = new AdmissionReviewDecoder(JSON, 1 << 20);

  AdmissionReviewDecoder.Request decode(String json) throws InvalidEventException {
    return decoder.decode(json.getBytes(StandardCharsets.UTF_8), NOW);
  }

  ChangeEvent audit(String json) throws Exception {
    return new KubernetesAuditParser().parse((ObjectNode) JSON.readTree(json), NOW);
  }

  @Test
  void aPersonsSecretBecomesTheChangeEventTheAuditStreamWouldSee() throws Exception {
    AdmissionReviews.Request r = AdmissionReviews.secret("payments", "db-password");
    AdmissionReviewDecoder.Request req = decode(r.review());
    ChangeEvent e = req.event();

    assertThat(req.uid()).isEqualTo(r.uid());
    assertThat(req.operation()).isEqualTo("CREATE");
    assertThat(req.dryRun()).isFalse();
    assertThat(req.asApplied()).isSameAs(e);
    assertThat(e.getId()).isEqualTo(r.uid());
    assertThat(e.isIdFromContent()).isFalse();
    assertThat(e.getSource()).isEqualTo(ChangeEvent.K8S_AUDIT);
    assertThat(e.getEventTime()).isEqualTo(NOW);
    assertThat(e.isEventTimeEstimated()).isFalse();
    assertThat(e.getAction()).isEqualTo("create");
    assertThat(e.isReadOnly()).isFalse();
    assertThat(e.getService()).isEqualTo("v1");
    assertThat(e.getActor().getType()).isEqualTo(Actor.Type.HUMAN);
    assertThat(e.getActor().getPrincipal()).isEqualTo("alice@example.com");
    assertThat(e.getActor().getGroups()).containsExactly("system:authenticated", "platform-admins");
    assertThat(e.getTarget().getResource()).isEqualTo("secrets");
    assertThat(e.getTarget().getType()).isEqualTo("secrets");
    assertThat(e.getTarget().getApiGroup()).isNull();
    assertThat(e.getTarget().getNamespace()).isEqualTo("payments");
    assertThat(e.getTarget().getName()).isEqualTo("db-password");
    assertThat(e.getTarget().getSubresource()).isNull();
    assertThat(e.getOutcome().getStage()).isEqualTo(AdmissionReviewDecoder.STAGE);
    assertThat(e.getOutcome().getSucceeded()).isNull();
    assertThat(e.getOutcome().isDryRun()).isFalse();
    assertThat(e.getOutcome().isEffective()).isTrue();
    assertThat(e.isEffectiveWrite()).isTrue();
    assertThat(e.requestText("/metadata/name")).isEqualTo("db-password");
    assertThat(e.getResponse().isMissingNode()).isTrue();
    assertThat(e.rawText("/request/options/kind")).isEqualTo("CreateOptions");

    // The same request through the audit stream: the same actor, target and API.
    ChangeEvent a = audit(r.auditEvent());
    assertThat(e.getAction()).isEqualTo(a.getAction());
    assertThat(e.getService()).isEqualTo(a.getService());
    assertThat(e.getTarget()).usingRecursiveComparison().isEqualTo(a.getTarget());
    assertThat(e.getActor().getType()).isEqualTo(a.getActor().getType());
    assertThat(e.getActor().getPrincipal()).isEqualTo(a.getActor().getPrincipal());
    assertThat(e.getActor().getName()).isEqualTo(a.getActor().getName());
    assertThat(e.getActor().getGroups()).isEqualTo(a.getActor().getGroups());
    assertThat(e.getId()).isNotEqualTo(a.getId()); // uid is not the auditID
  }

  @Test
  void argoCdsControllerIsClassifiedAsTheAuditParserDoesWithoutAUserAgent() throws Exception {
    AdmissionReviews.Request r = AdmissionReviews.secret("payments", "db-password").argoCd();
    ChangeEvent e = decode(r.review()).event();
    ChangeEvent a = audit(r.auditEvent());
    assertThat(e.getActor().getType()).isEqualTo(Actor.Type.IAC).isEqualTo(a.getActor().getType());
    assertThat(e.getActor().getIacTool()).isEqualTo("argocd").isEqualTo(a.getActor().getIacTool());
    assertThat(e.getActor().getName()).isEqualTo("argocd-application-controller");
    assertThat(e.getActor().getUserAgent()).isNull();
    assertThat(e.getActor().getSourceIp()).isNull();
  }

  @Test
  void controlPlaneUsersAreSystemAsInTheAuditParser() throws Exception {
    ChangeEvent e =
        decode(
                AdmissionReviews.secret("kube-system", "token")
                    .user("system:kube-controller-manager", List.of("system:authenticated"), "")
                    .review())
            .event();
    assertThat(e.getActor().getType()).isEqualTo(Actor.Type.SYSTEM);
  }

  @Test
  void secretMaterialIsGoneFromObjectOldObjectAndTheRawReview() throws Exception {
    AdmissionReviews.Request r =
        AdmissionReviews.secret("payments", "db-password").operation("UPDATE");
    AdmissionReviewDecoder.Request req = decode(r.review());
    String everything = JSON.writeValueAsString(req.event().getRaw());
    assertThat(everything)
        .doesNotContain(AdmissionReviews.SECRET_VALUE)
        .doesNotContain(AdmissionReviews.SECRET_TEXT)
        .doesNotContain("last-applied-configuration")
        .contains("db-password");
    assertThat(req.event().getRequest().has("data")).isFalse();
    assertThat(req.event().getRedacted())
        .contains(
            "/request/object/data",
            "/request/object/stringData",
            "/request/oldObject/data",
            "/request/oldObject/stringData");
  }

  @Test
  void aSecretWithoutItsKindIsStillRedactedOnTheSecretsResource() throws Exception {
    ObjectNode review = AdmissionReviews.secret("payments", "db-password").reviewTree();
    ((ObjectNode) review.path("request").path("object")).remove("kind");
    ChangeEvent e = decoder.decode(review, NOW).event();
    assertThat(JSON.writeValueAsString(e.getRaw())).doesNotContain(AdmissionReviews.SECRET_VALUE);
  }

  @Test
  void configMapsKeepTheirData() throws Exception {
    ChangeEvent e =
        decode(AdmissionReviews.secret("payments", "settings").configMap().review()).event();
    assertThat(e.getTarget().getResource()).isEqualTo("configmaps");
    assertThat(e.requestText("/data/log-level")).isEqualTo("debug");
    assertThat(e.getRedacted()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"CREATE,create", "UPDATE,update", "DELETE,delete", "CONNECT,connect"})
  void operationsBecomeVerbs(String operation, String verb) throws Exception {
    ChangeEvent e =
        decode(AdmissionReviews.secret("payments", "db-password").operation(operation).review())
            .event();
    assertThat(e.getAction()).isEqualTo(verb);
    assertThat(e.isReadOnly()).isFalse();
  }

  @Test
  void aDeleteJudgesTheObjectBeingDeleted() throws Exception {
    ChangeEvent e =
        decode(
                AdmissionReviews.secret("payments", "db-password")
                    .operation("DELETE")
                    .labels(Map.of("argocd.argoproj.io/instance", "payments"))
                    .review())
            .event();
    assertThat(e.getAction()).isEqualTo("delete");
    assertThat(e.requestText("/metadata/labels/argocd.argoproj.io~1instance"))
        .isEqualTo("payments");
    assertThat(e.getRequest().has("data")).isFalse();
  }

  @Test
  void aGeneratedNameIsReadFromTheObject() throws Exception {
    ObjectNode review =
        AdmissionReviews.secret("kube-system", "bootstrap-token-x7k2p").generateName().reviewTree();
    assertThat(review.path("request").has("name")).isFalse();
    ChangeEvent e = decoder.decode(review, NOW).event();
    assertThat(e.getTarget().getName()).isEqualTo("bootstrap-token-x7k2p");
  }

  @Test
  void aDryRunIsMarkedAndItsAsAppliedTwinIsNot() throws Exception {
    AdmissionReviewDecoder.Request req =
        decode(AdmissionReviews.secret("payments", "db-password").dryRun(true).review());
    assertThat(req.dryRun()).isTrue();
    assertThat(req.event().getOutcome().isDryRun()).isTrue();
    assertThat(req.event().isEffectiveWrite()).isFalse();
    assertThat(req.asApplied().getOutcome().isDryRun()).isFalse();
    assertThat(req.asApplied().isEffectiveWrite()).isTrue();
    assertThat(req.asApplied().getId()).isEqualTo(req.event().getId());
    assertThat(req.asApplied().getTarget()).isSameAs(req.event().getTarget());
  }

  @Test
  void theRequestedResourceNamesTheTargetAsTheAuditEventsObjectRefDoes() throws Exception {
    String review =
        """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
          "uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
          "kind":{"group":"autoscaling","version":"v1","kind":"Scale"},
          "resource":{"group":"apps","version":"v1","resource":"deployments"},
          "subResource":"scale",
          "requestKind":{"group":"autoscaling","version":"v1","kind":"Scale"},
          "requestResource":{"group":"apps","version":"v1beta1","resource":"deployments"},
          "requestSubResource":"scale",
          "name":"api","namespace":"payments","operation":"UPDATE",
          "userInfo":{"username":"alice@example.com","groups":["system:authenticated"]},
          "object":{"apiVersion":"autoscaling/v1","kind":"Scale"},
          "oldObject":{"apiVersion":"autoscaling/v1","kind":"Scale"},
          "dryRun":false,
          "options":{"apiVersion":"meta.k8s.io/v1","kind":"UpdateOptions"}}}
        """;
    ChangeEvent e = decode(review).event();
    assertThat(e.getService()).isEqualTo("apps/v1beta1");
    assertThat(e.getTarget().getApiGroup()).isEqualTo("apps");
    assertThat(e.getTarget().getResource()).isEqualTo("deployments");
    assertThat(e.getTarget().getSubresource()).isEqualTo("scale");
    assertThat(e.getTarget().describe()).isEqualTo("payments/deployments/api/scale");
  }

  @Test
  void inputThatIsNoV1ReviewIsRejectedWithAClearReason() {
    assertThatThrownBy(() -> decode("{not json"))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("not one JSON value")
        .extracting(t -> ((InvalidEventException) t).reason())
        .isEqualTo(InvalidEventException.NOT_JSON);
    assertThatThrownBy(() -> decode("[1,2]"))
        .hasMessageContaining("array")
        .extracting(t -> ((InvalidEventException) t).reason())
        .isEqualTo(InvalidEventException.UNSUPPORTED_SHAPE);
    assertThatThrownBy(() -> decode("{\"kind\":\"Event\"}"))
        .hasMessageContaining("no AdmissionReview");
    String beta =
        AdmissionReviews.secret("payments", "x")
            .review()
            .replace("admission.k8s.io/v1", "admission.k8s.io/v1beta1");
    assertThatThrownBy(() -> decode(beta))
        .hasMessageContaining("admission.k8s.io/v1beta1")
        .hasMessageContaining("admissionReviewVersions");
    assertThatThrownBy(() -> decode(new byte[0]))
        .extracting(t -> ((InvalidEventException) t).reason())
        .isEqualTo(InvalidEventException.EMPTY);
  }

  private AdmissionReviewDecoder.Request decode(byte[] b) throws InvalidEventException {
    return decoder.decode(b, NOW);
  }

  @Test
  void missingRequiredFieldsAreNamedButValuesNeverEchoed() {
    for (String field : List.of("uid", "operation", "userInfo", "resource")) {
      ObjectNode review = AdmissionReviews.secret("payments", "db-password").reviewTree();
      ObjectNode request = (ObjectNode) review.get("request");
      request.remove(field);
      request.remove(field.equals("resource") ? "requestResource" : "none");
      assertThatThrownBy(() -> decoder.decode(review, NOW))
          .isInstanceOf(InvalidEventException.class)
          .hasMessageContaining("request." + field)
          .hasMessageNotContaining(AdmissionReviews.SECRET_VALUE)
          .extracting(t -> ((InvalidEventException) t).reason())
          .isEqualTo(InvalidEventException.INVALID_RECORD);
    }
    ObjectNode onlyResource = AdmissionReviews.secret("payments", "db-password").reviewTree();
    ((ObjectNode) onlyResource.get("request")).remove("requestResource");
    assertThat(
            assertDoesNotThrow(() -> decoder.decode(onlyResource, NOW))
                .event()
                .getTarget()
                .getResource())
        .isEqualTo("secrets");
    ObjectNode review = AdmissionReviews.secret("payments", "db-password").reviewTree();
    ((ObjectNode) review.get("request")).put("operation", "PATCH");
    assertThatThrownBy(() -> decoder.decode(review, NOW))
        .hasMessageContaining("\"PATCH\" is none of CREATE, UPDATE, DELETE, CONNECT");
    ObjectNode noRequest = AdmissionReviews.secret("payments", "db-password").reviewTree();
    noRequest.remove("request");
    assertThatThrownBy(() -> decoder.decode(noRequest, NOW)).hasMessageContaining("request is");
  }

  @Test
  void aReviewOverTheLimitIsTooLarge() {
    AdmissionReviewDecoder small = new AdmissionReviewDecoder(JSON, 4096);
    byte[] big =
        AdmissionReviews.secret("payments", "db-password")
            .padding(5000)
            .review()
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> small.decode(big, NOW))
        .hasMessageContaining("limit of 4096")
        .extracting(t -> ((InvalidEventException) t).reason())
        .isEqualTo(InvalidEventException.TOO_LARGE);
  }
}
