package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.ParameterSet;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.inventory.InventoryRecordsTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link PolicySet} reuses its Drools sessions and keeps policy parameters inserted between events:
 * every evaluation must still decide as a fresh stateless session would, whatever came before it.
 */
class SessionReuseTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static PolicySet compile(String drl) throws Exception {
    Map<String, byte[]> files = Folders.sharedOnly();
    Folders.put(files, "p/policy.drl", "package portcullis.policies;\n" + drl);
    Folders.put(
        files, "p/policy.yaml", Folders.metadata("p", "alert", "[DeleteBucket, PutBucketTagging]"));
    return Folders.compiler(false).compile(files);
  }

  static ChangeEvent event(String name) throws Exception {
    return InventoryRecordsTest.s3(name, "reuse-bucket", "");
  }

  /** Parameters as the enrichment gives them: one group, kept in a session while it is the same. */
  static ParameterSet params(String json) throws Exception {
    return ParameterSet.of(Map.of("p", JSON.readTree(json)));
  }

  static List<String> summaries(PolicySet set, ChangeEvent e, Object... facts) {
    return set.evaluate(e, List.of(facts), Map.of()).stream().map(Decision::summary).toList();
  }

  @Test
  void threadsSharingOneSetEachGetTheirEventsDecisions() throws Exception {
    PolicySet set = Folders.compiler(false).compile(Folders.rules());
    Enrichment enrichment = Enrichment.standard();
    FactContext ctx =
        new FactContext(Lookups.NONE, set.parameters(Map.of()), new StateStore(), false);
    List<ChangeEvent> events =
        List.of(
            InventoryRecordsTest.s3(
                "PutBucketLifecycle",
                "reuse-a",
                ",\"LifecycleConfiguration\":{\"Rule\":{\"ID\":\"b\",\"Filter\":{\"Prefix\":"
                    + "\"backups/\"},\"Status\":\"Enabled\",\"Expiration\":{\"Days\":30}}}"),
            InventoryRecordsTest.s3("PutBucketTagging", "reuse-b", ""),
            new EventDecoder(JSON, 1 << 20)
                .decode(
                    Files.readAllBytes(Path.of("docs/examples/stop-logging.json")), Instant.EPOCH)
                .events()
                .get(0));
    List<List<String>> expected = new ArrayList<>();
    for (ChangeEvent e : events) {
      expected.add(summaries(set, e, enrichment.facts(e, ctx).toArray()));
    }
    assertThat(expected.get(0)).hasSize(1);
    assertThat(expected.get(1)).isEmpty();
    assertThat(expected.get(2)).hasSize(1);

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        done.add(
            pool.submit(
                () -> {
                  int wrong = 0;
                  for (int i = 0; i < 300; i++) {
                    int k = (i + offset) % events.size();
                    ChangeEvent e = events.get(k);
                    if (!summaries(set, e, enrichment.facts(e, ctx).toArray())
                        .equals(expected.get(k))) {
                      wrong++;
                    }
                  }
                  return wrong;
                }));
      }
      for (Future<Integer> f : done) {
        assertThat(f.get()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theBundledRulesAllNeedAnEventFactSoTheirParametersStay() throws Exception {
    PolicySet bundled = Folders.compiler(false).compile(Folders.rules());
    assertThat(bundled.keepsParameters()).isTrue();
  }

  @Test
  void changedParametersAreSeenByTheNextEvent() throws Exception {
    PolicySet set =
        compile(
            "rule \"loud\"\nwhen\n  $e : ChangeEvent( action == \"DeleteBucket\" )\n"
                + "  $p : PolicyParameters( policy == \"p\" )\n"
                + "  eval( \"loud\".equals($p.text(\"/mode\")) )\n"
                + "then\n  verdicts.flag(drools, \"loud \" + $e.getId());\nend\n");
    assertThat(set.keepsParameters()).isTrue();
    ChangeEvent delete = event("DeleteBucket");
    ParameterSet loud = params("{\"mode\":\"loud\"}");
    assertThat(summaries(set, delete, loud)).hasSize(1);
    assertThat(summaries(set, delete, loud)).hasSize(1); // the same parameters, kept
    assertThat(summaries(set, delete, params("{\"mode\":\"quiet\"}"))).isEmpty();
    assertThat(summaries(set, delete, params("{\"mode\":\"loud\"}"))).hasSize(1);
    // No parameters at all (another caller): the held ones must not answer for them.
    assertThat(summaries(set, delete)).isEmpty();
    assertThat(summaries(set, delete, loud)).hasSize(1);
  }

  @Test
  void aRuleOnParametersAloneFiresForEveryEventAsInAFreshSession() throws Exception {
    PolicySet set =
        compile(
            "rule \"always\"\nwhen\n  $p : PolicyParameters( policy == \"p\" )\n"
                + "then\n  verdicts.flag(drools, \"always\");\nend\n");
    assertThat(set.keepsParameters()).isFalse();
    ParameterSet p = params("{}");
    for (int i = 0; i < 3; i++) {
      assertThat(summaries(set, event("PutBucketTagging"), p)).containsExactly("always");
    }
  }

  @Test
  void aFactARuleInsertedDoesNotOutliveItsEvent() throws Exception {
    PolicySet set =
        compile(
            "rule \"mark\"\nwhen\n  $e : ChangeEvent( action == \"DeleteBucket\" )\n"
                + "then\n  insert(new StringBuilder(\"mark\"));\nend\n"
                + "rule \"marked\"\nwhen\n  StringBuilder()\n"
                + "  $e : ChangeEvent( action == \"PutBucketTagging\" )\n"
                + "then\n  verdicts.flag(drools, \"marked\");\nend\n");
    ParameterSet p = params("{}");
    assertThat(summaries(set, event("DeleteBucket"), p)).isEmpty();
    assertThat(summaries(set, event("PutBucketTagging"), p)).isEmpty();
  }

  @Test
  void aRuleThatDeletesTheEventAndItsParametersLeavesTheNextEventsRight() throws Exception {
    PolicySet set =
        compile(
            "rule \"drop\"\nwhen\n  $e : ChangeEvent( action == \"DeleteBucket\" )\n"
                + "  $p : PolicyParameters( policy == \"p\" )\n"
                + "then\n  verdicts.flag(drools, \"dropped\");\n  delete($e);\n  delete($p);\nend\n");
    assertThat(set.keepsParameters()).isTrue();
    ParameterSet p = params("{}");
    for (int i = 0; i < 3; i++) {
      assertThat(summaries(set, event("DeleteBucket"), p)).containsExactly("dropped");
    }
  }

  @Test
  void aRuleThatFailsLeavesNothingForTheNextEvent() throws Exception {
    PolicySet set =
        compile(
            "rule \"fails\"\nwhen\n  $e : ChangeEvent( action == \"DeleteBucket\" )\n"
                + "  $p : PolicyParameters( policy == \"p\" )\n"
                + "then\n  verdicts.flag(drools, \"before\");\n"
                + "  if (true) { throw new IllegalStateException(\"boom\"); }\nend\n"
                + "rule \"tagging\"\nwhen\n  $e : ChangeEvent( action == \"PutBucketTagging\" )\n"
                + "then\n  verdicts.flag(drools, \"tagging \" + $e.getAction());\nend\n");
    ParameterSet p = params("{}");
    List<Throwable> failures = new ArrayList<>();
    try {
      set.evaluate(event("DeleteBucket"), List.of(p), Map.of());
    } catch (RuntimeException e) {
      failures.add(e);
    }
    assertThat(failures).hasSize(1);
    for (int i = 0; i < 3; i++) {
      assertThat(summaries(set, event("PutBucketTagging"), p))
          .containsExactly("tagging PutBucketTagging");
    }
  }
}
