package dev.portcullis.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.event.Actor;
import dev.portcullis.event.Outcome;
import dev.portcullis.event.Target;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The AdmissionReview answer built from decisions, within the API server's limits. */
class AdmissionAnswerTest {

  static final String RUNBOOK = "https://example.com/runbooks#untracked-secret";

  static Decision decision(String policy, Enforcement action, String summary) {
    return new Decision(
        policy,
        action,
        action == Enforcement.SUPPRESSED ? Enforcement.BLOCK : action,
        Severity.HIGH,
        summary,
        "A title",
        RUNBOOK,
        "A rule",
        Map.of(),
        action == Enforcement.SUPPRESSED ? "sandbox-secrets" : null);
  }

  static DecisionRecord record(List<Decision> decisions) {
    Instant t = Instant.parse("2026-11-25T10:00:00Z");
    return new DecisionRecord(
        "uid-1",
        "k8s-audit",
        t,
        null,
        t,
        t,
        Actor.builder().principal("alice@example.com").build(),
        "create",
        "v1",
        Target.builder().resource("secrets").namespace("payments").name("db-password").build(),
        new Outcome(null, null, null, null, false, "Admission"),
        "v42",
        decisions);
  }

  static JsonNode response(AdmissionAnswer a) {
    return a.review().path("response");
  }

  @Test
  void aBlockingDecisionDeniesWithTheFindingAndTheRunbook() {
    AdmissionAnswer a =
        AdmissionAnswer.of(
            "uid-1",
            record(
                List.of(
                    decision(
                        "untracked-secret",
                        Enforcement.BLOCK,
                        "alice@example.com created secret payments/db-password outside GitOps"))),
            10);
    assertThat(a.allowed()).isFalse();
    assertThat(a.result()).isEqualTo(AdmissionAnswer.Result.DENIED);
    assertThat(a.review().path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(a.review().path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode r = response(a);
    assertThat(r.path("uid").asText()).isEqualTo("uid-1");
    assertThat(r.path("allowed").asBoolean(true)).isFalse();
    assertThat(r.path("status").path("code").asInt()).isEqualTo(403);
    assertThat(r.path("status").path("reason").asText()).isEqualTo("Forbidden");
    assertThat(r.path("status").path("message").asText())
        .isEqualTo(
            "blocked by policy untracked-secret: alice@example.com created secret"
                + " payments/db-password outside GitOps (runbook: "
                + RUNBOOK
                + ")");
    assertThat(r.has("warnings")).isFalse();
    assertThat(r.path("auditAnnotations").path("decision").asText()).isEqualTo("denied");
    assertThat(r.path("auditAnnotations").path("blocked-by").asText())
        .isEqualTo("untracked-secret");
    assertThat(r.path("auditAnnotations").path("policy-version").asText()).isEqualTo("v42");
    assertThat(r.path("auditAnnotations").path("review-uid").asText()).isEqualTo("uid-1");
  }

  @Test
  void everyBlockingPolicyIsNamed() {
    AdmissionAnswer a =
        AdmissionAnswer.of(
            "uid-1",
            record(
                List.of(
                    decision("untracked-secret", Enforcement.BLOCK, "first"),
                    decision("other-policy", Enforcement.BLOCK, "second"),
                    decision("noisy", Enforcement.ALERT, "third"))),
            10);
    String message = a.message();
    assertThat(message)
        .startsWith("blocked by 2 policies: untracked-secret: first (runbook: ")
        .contains("; other-policy: second (runbook: ");
    assertThat(response(a).path("warnings").get(0).asText()).startsWith("noisy: third");
    assertThat(response(a).path("auditAnnotations").path("blocked-by").asText())
        .isEqualTo("untracked-secret,other-policy");
    assertThat(response(a).path("auditAnnotations").path("warned-by").asText()).isEqualTo("noisy");
  }

  @Test
  void alertDecisionsAllowWithOneWarningEach() {
    AdmissionAnswer a =
        AdmissionAnswer.of(
            "uid-1",
            record(List.of(decision("untracked-secret", Enforcement.ALERT, "alice made a secret"))),
            10);
    assertThat(a.allowed()).isTrue();
    assertThat(a.result()).isEqualTo(AdmissionAnswer.Result.WARNED);
    JsonNode r = response(a);
    assertThat(r.has("status")).isFalse();
    assertThat(r.path("warnings")).hasSize(1);
    assertThat(r.path("warnings").get(0).asText())
        .isEqualTo("untracked-secret: alice made a secret (runbook: " + RUNBOOK + ")");
    assertThat(r.path("auditAnnotations").path("decision").asText()).isEqualTo("warned");
  }

  @Test
  void suppressedAndAuditDecisionsAllowSilentlyButTheExceptionIsNoted() {
    AdmissionAnswer a =
        AdmissionAnswer.of(
            "uid-1",
            record(
                List.of(
                    decision("untracked-secret", Enforcement.SUPPRESSED, "waived"),
                    decision("quiet", Enforcement.AUDIT, "recorded only"))),
            10);
    assertThat(a.allowed()).isTrue();
    assertThat(a.result()).isEqualTo(AdmissionAnswer.Result.ALLOWED);
    JsonNode r = response(a);
    assertThat(r.has("warnings")).isFalse();
    assertThat(r.path("auditAnnotations").path("decision").asText()).isEqualTo("allowed");
    assertThat(r.path("auditAnnotations").path("waived-by").asText())
        .isEqualTo("untracked-secret=sandbox-secrets");
  }

  @Test
  void noDecisionsIsAPlainAllow() {
    AdmissionAnswer a = AdmissionAnswer.of("uid-1", record(List.of()), 10);
    assertThat(a.allowed()).isTrue();
    assertThat(response(a).path("auditAnnotations").path("decision").asText()).isEqualTo("allowed");
    assertThat(response(a).has("warnings")).isFalse();
  }

  @Test
  void warningsStayWithinTheApiServersLimits() {
    String longSummary = "x".repeat(600);
    List<Decision> many = new ArrayList<>();
    IntStream.range(0, 15)
        .forEach(i -> many.add(decision("policy-" + i, Enforcement.ALERT, longSummary)));
    List<String> warnings = AdmissionAnswer.warnings(many, 10);
    assertThat(warnings).hasSizeLessThanOrEqualTo(10);
    assertThat(warnings).allSatisfy(w -> assertThat(w.length()).isLessThanOrEqualTo(256));
    assertThat(warnings.stream().mapToInt(String::length).sum()).isLessThanOrEqualTo(2048);
    assertThat(warnings.get(0)).startsWith("policy-0: xxx").endsWith("(runbook: " + RUNBOOK + ")");
    assertThat(warnings.get(warnings.size() - 1)).matches("\\d+ more findings in alert mode.*");

    List<Decision> twelveShort = new ArrayList<>();
    IntStream.range(0, 12)
        .forEach(i -> twelveShort.add(decision("p" + i, Enforcement.ALERT, "short")));
    List<String> w = AdmissionAnswer.warnings(twelveShort, 10);
    assertThat(w).hasSize(10);
    assertThat(w.get(8)).startsWith("p8: short");
    assertThat(w.get(9)).isEqualTo("3 more findings in alert mode: see the decision record");

    List<Decision> exactlyTen = twelveShort.subList(0, 10);
    assertThat(AdmissionAnswer.warnings(exactlyTen, 10))
        .hasSize(10)
        .last()
        .asString()
        .startsWith("p9: short");
  }

  @Test
  void warningsCarryNoControlCharactersAndCutOnCodePoints() {
    String w =
        AdmissionAnswer.warning(
            decision(
                "p", Enforcement.ALERT, "line one\nline two\t\u0007" + "\uD83D\uDD12".repeat(300)));
    assertThat(w).doesNotContain("\n").doesNotContain("\t").doesNotContain("\u0007");
    assertThat(w.codePointCount(0, w.length())).isLessThanOrEqualTo(256);
    assertThat(Character.isHighSurrogate(w.charAt(w.indexOf('\u2026') - 1))).isFalse();
  }

  @Test
  void theFailurePolicyAllowsWithAWarningOrDeniesWith503() {
    AdmissionAnswer allow =
        AdmissionAnswer.failure(
            "uid-2",
            AdmissionConfig.OnFailure.ALLOW,
            AdmissionAnswer.TIMEOUT,
            Duration.ofSeconds(2));
    assertThat(allow.allowed()).isTrue();
    assertThat(allow.result()).isEqualTo(AdmissionAnswer.Result.ERROR);
    assertThat(allow.failure()).isEqualTo("timeout");
    assertThat(response(allow).path("uid").asText()).isEqualTo("uid-2");
    assertThat(response(allow).path("warnings").get(0).asText())
        .contains("within 2 s")
        .contains("allowed by its failure policy");
    assertThat(response(allow).path("auditAnnotations").path("decision").asText())
        .isEqualTo("failure-allowed");

    AdmissionAnswer deny =
        AdmissionAnswer.failure(
            "uid-3",
            AdmissionConfig.OnFailure.DENY,
            AdmissionAnswer.EVALUATION_ERROR,
            Duration.ofMillis(1500));
    assertThat(deny.allowed()).isFalse();
    assertThat(response(deny).path("status").path("code").asInt()).isEqualTo(503);
    assertThat(response(deny).path("status").path("message").asText())
        .contains("a policy failed on it")
        .contains("denied by its failure policy");
    assertThat(response(deny).path("auditAnnotations").path("failure").asText())
        .isEqualTo("evaluation-error");
  }
}
