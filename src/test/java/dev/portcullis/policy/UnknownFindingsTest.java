package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.inventory.InventoryRecordsTest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A finding about what Portcullis does not know ({@code verdicts.alert}) is reported but never
 * blocks: not when the policy is set to block by the operator, so it is never denied or reverted on
 * a guess. Known findings of the same policy still block.
 */
class UnknownFindingsTest {

  @Test
  void anUnknownReachIsAlertedEvenWhereThePolicyBlocks() throws Exception {
    PolicySet policies =
        new PolicyCompiler(-1, Clock.systemUTC())
            .compile(PolicySources.fromDirectory(Path.of("rules")));
    Map<String, Enforcement> block = Map.of("etcd-control-files", Enforcement.BLOCK);
    FactContext ctx =
        new FactContext(
            InventoryRecordsTest.FAILING, policies.parameters(Map.of()), new StateStore(), false);

    ChangeEvent whole =
        InventoryRecordsTest.s3("PutBucketLifecycle", "team-logs", InventoryRecordsTest.WHOLE);
    List<Decision> unknown =
        policies.evaluate(whole, Enrichment.standard().facts(whole, ctx), block);
    assertThat(unknown)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(Enforcement.ALERT);
              assertThat(d.verdict()).isEqualTo(Enforcement.ALERT);
              assertThat(d.severity()).isEqualTo(Severity.MEDIUM);
              assertThat(d.summary()).contains("does not know whether the bucket holds");
            });

    ChangeEvent direct =
        InventoryRecordsTest.s3(
            "PutBucketLifecycle",
            "team-logs",
            ",\"LifecycleConfiguration\":{\"Rule\":{\"ID\":\"b\",\"Filter\":{\"Prefix\":"
                + "\"backups/\"},\"Status\":\"Enabled\",\"Expiration\":{\"Days\":30}}}");
    List<Decision> known =
        policies.evaluate(direct, Enrichment.standard().facts(direct, ctx), block);
    assertThat(known)
        .singleElement()
        .satisfies(d -> assertThat(d.action()).isEqualTo(Enforcement.BLOCK));

    // The operator's audit stays audit.
    assertThat(
            policies.evaluate(
                whole,
                Enrichment.standard().facts(whole, ctx),
                Map.of("etcd-control-files", Enforcement.AUDIT)))
        .singleElement()
        .satisfies(d -> assertThat(d.action()).isEqualTo(Enforcement.AUDIT));
  }
}
