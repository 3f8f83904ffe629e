package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.FactProvider;
import dev.portcullis.event.ChangeEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Fact providers in policy test cases: they read the policy's parameters (policy.yaml defaults,
 * overridden by the case) and keep state across the events of one case, never across cases.
 */
public class FactProviderSeamTest {

  /** States how many trail events this case has seen, and the configured limit. */
  public record Seen(int count, int limit) {
    public int getCount() {
      return count;
    }

    public int getLimit() {
      return limit;
    }
  }

  static final class Counter {
    final AtomicInteger n = new AtomicInteger();
  }

  static final FactProvider COUNTING =
      (ChangeEvent e, FactContext ctx) -> {
        Counter c = ctx.state().of(Counter.class, Counter::new);
        int count = ctx.recordsState() ? c.n.incrementAndGet() : c.n.get();
        int limit = ctx.parameters("repeat-stops").path("limit").asInt(-1);
        return List.of(new Seen(count, limit));
      };

  static final String DRL =
      "package portcullis.policies;\n"
          + "import dev.portcullis.policy.FactProviderSeamTest.Seen;\n"
          + "rule \"Stopped too often\"\n"
          + "when\n"
          + "  $e : ChangeEvent( action == \"StopLogging\" )\n"
          + "  Seen( count > limit )\n"
          + "then\n"
          + "  verdicts.flag(drools, \"stopped more than the limit\");\n"
          + "end\n";

  static String event(int i) {
    return "{\"eventVersion\":\"1.08\",\"eventSource\":\"cloudtrail.amazonaws.com\","
        + "\"eventName\":\"StopLogging\",\"eventID\":\"e-"
        + i
        + "\",\"eventTime\":\"2026-11-20T09:0"
        + i
        + ":00Z\",\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::1:user/a\"},"
        + "\"requestParameters\":{\"name\":\"t\"}}";
  }

  @Test
  void providersSeeCaseParametersAndStateThatStartsEmptyInEveryCase() {
    Map<String, byte[]> files = Folders.sharedOnly();
    Folders.put(files, "repeat-stops/policy.drl", DRL);
    Folders.put(
        files,
        "repeat-stops/policy.yaml",
        Folders.metadata("repeat-stops", "alert", "[StopLogging]") + "parameters:\n  limit: 2\n");
    // Default limit 2: the third stop of a case fires, the second does not.
    Folders.put(
        files,
        "repeat-stops/tests/third-stop-fires.yaml",
        "description: Three stops in one case exceed the default limit of two.\n"
            + "events: ["
            + event(1)
            + ","
            + event(2)
            + ","
            + event(3)
            + "]\n"
            + "expectEach: [[], [], [{action: alert, severity: high}]]\n");
    // A fresh case starts counting again; a case may lower the limit.
    Folders.put(
        files,
        "repeat-stops/tests/lower-limit.yaml",
        "description: With the limit set to zero by the case, the first stop fires.\n"
            + "parameters: {limit: 0}\n"
            + "event: "
            + event(1)
            + "\n"
            + "expect: [{action: alert, severity: high}]\n");
    Folders.put(
        files,
        "repeat-stops/tests/second-case-starts-over.yaml",
        "description: A new case has seen nothing yet.\n"
            + "event: "
            + event(1)
            + "\n"
            + "expect: []\n");

    PolicyTestSuite suite =
        PolicyTestSuite.load(
            files, Folders.compiler(true), new Enrichment(List.of(), List.of(COUNTING)));
    assertThat(suite.problems()).isEmpty();
    List<CaseResult> results = suite.runAll();
    assertThat(results).hasSize(3);
    assertThat(results).allSatisfy(r -> assertThat(r.passed()).as(r.toString()).isTrue());
  }
}
