package dev.portcullis.enforce.revert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.Events;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TransitionStorageClass;

/** Reading CloudTrail's lifecycle configurations into the SDK's model, and comparing them. */
class LifecycleRulesTest {

  static JsonNode config(String json) {
    return Events.read(json);
  }

  @Test
  void oneRuleAsAnObjectIsReadInFull() {
    List<LifecycleRules.EventRule> rules =
        LifecycleRules.read(
            config(
                "{\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\",\"Rule\":{\"ID\":"
                    + "\"expire-old-backups\",\"Filter\":{\"Prefix\":\"backups/\"},\"Status\":"
                    + "\"Enabled\",\"Expiration\":{\"Days\":\"30\"}}}"));
    assertThat(rules).hasSize(1);
    LifecycleRules.EventRule r = rules.get(0);
    assertThat(r.ref()).isEqualTo("expire-old-backups");
    assertThat(r.hasId()).isTrue();
    assertThat(r.rule().id()).isEqualTo("expire-old-backups");
    assertThat(r.rule().status()).isEqualTo(ExpirationStatus.ENABLED);
    assertThat(r.rule().filter().prefix()).isEqualTo("backups/");
    assertThat(r.rule().expiration().days()).isEqualTo(30);
  }

  @Test
  void everyElementOfSeveralRulesIsKept() {
    List<LifecycleRules.EventRule> rules =
        LifecycleRules.read(
            config(
                "{\"Rule\":[{\"Filter\":\"\",\"Status\":\"Enabled\","
                    + "\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":7}},"
                    + "{\"ID\":\"archive\",\"Filter\":{\"And\":{\"Prefix\":\"logs/\",\"Tag\":["
                    + "{\"Key\":\"env\",\"Value\":\"tmp\"},{\"Key\":\"team\",\"Value\":\"a\"}],"
                    + "\"ObjectSizeGreaterThan\":\"1024\"}},\"Status\":\"Enabled\","
                    + "\"Transition\":[{\"Days\":30,\"StorageClass\":\"standard_ia\"},"
                    + "{\"Date\":\"2027-01-01T00:00:00.000Z\",\"StorageClass\":\"GLACIER\"}],"
                    + "\"NoncurrentVersionExpiration\":{\"NoncurrentDays\":5,"
                    + "\"NewerNoncurrentVersions\":3}},"
                    + "{\"ID\":\"legacy\",\"Prefix\":\"old/\",\"Status\":\"Disabled\","
                    + "\"Expiration\":{\"ExpiredObjectDeleteMarker\":\"true\"},"
                    + "\"NoncurrentVersionTransition\":{\"NoncurrentDays\":10,"
                    + "\"StorageClass\":\"DEEP_ARCHIVE\"}}]}"));
    assertThat(rules)
        .extracting(LifecycleRules.EventRule::ref)
        .containsExactly("rule-1", "archive", "legacy");
    LifecycleRule whole = rules.get(0).rule();
    assertThat(rules.get(0).hasId()).isFalse();
    assertThat(whole.id()).isNull();
    assertThat(whole.filter().prefix()).isNull();
    assertThat(whole.abortIncompleteMultipartUpload().daysAfterInitiation()).isEqualTo(7);

    LifecycleRule archive = rules.get(1).rule();
    assertThat(archive.filter().and().prefix()).isEqualTo("logs/");
    assertThat(archive.filter().and().tags())
        .containsExactly(
            Tag.builder().key("env").value("tmp").build(),
            Tag.builder().key("team").value("a").build());
    assertThat(archive.filter().and().objectSizeGreaterThan()).isEqualTo(1024L);
    assertThat(archive.transitions()).hasSize(2);
    assertThat(archive.transitions().get(0).storageClass())
        .isEqualTo(TransitionStorageClass.STANDARD_IA);
    assertThat(archive.transitions().get(1).date())
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(archive.noncurrentVersionExpiration().newerNoncurrentVersions()).isEqualTo(3);

    @SuppressWarnings("deprecation")
    String legacyPrefix = rules.get(2).rule().prefix();
    assertThat(legacyPrefix).isEqualTo("old/");
    assertThat(rules.get(2).rule().status()).isEqualTo(ExpirationStatus.DISABLED);
    assertThat(rules.get(2).rule().expiration().expiredObjectDeleteMarker()).isTrue();
    assertThat(rules.get(2).rule().noncurrentVersionTransitions().get(0).noncurrentDays())
        .isEqualTo(10);
  }

  @Test
  void theSameConfigurationAsS3ReturnsItMatchesInAnyOrderAndWithGeneratedIds() {
    List<LifecycleRules.EventRule> set =
        LifecycleRules.read(
            config(
                "{\"Rule\":[{\"ID\":\"a\",\"Filter\":{\"Prefix\":\"x/\"},\"Status\":\"Enabled\","
                    + "\"Expiration\":{\"Days\":1}},{\"Filter\":{\"Prefix\":\"y/\"},"
                    + "\"Status\":\"Enabled\",\"Expiration\":{\"Days\":2}}]}"));
    // S3 gives the rule without an ID one of its own, and may list rules in another order.
    LifecycleRule generated = set.get(1).rule().toBuilder().id("NjQ1ZGE1OTYtOGZhNC00ZjU1").build();
    List<LifecycleRule> current = List.of(generated, set.get(0).rule());
    assertThat(LifecycleRules.same(set, current)).isTrue();
    assertThat(LifecycleRules.match(set, current)).containsExactly(set.get(0).rule(), generated);

    // A named rule must keep its name; a rule that does something else is another rule.
    LifecycleRule renamed = set.get(0).rule().toBuilder().id("b").build();
    assertThat(LifecycleRules.same(set, List.of(generated, renamed))).isFalse();
    LifecycleRule longer = set.get(0).rule().toBuilder().expiration(e -> e.days(90)).build();
    assertThat(LifecycleRules.same(set, List.of(generated, longer))).isFalse();
    assertThat(LifecycleRules.same(set, List.of(generated))).isFalse();
    assertThat(LifecycleRules.same(set, List.of(generated, set.get(0).rule(), generated)))
        .isFalse();
  }

  @Test
  void anEmptyFilterAndAnEmptyPrefixAreTheWholeBucketAlike() {
    LifecycleRule empty =
        LifecycleRules.read(
                config(
                    "{\"Rule\":{\"ID\":\"w\",\"Filter\":{},\"Status\":\"Enabled\","
                        + "\"Expiration\":{\"Days\":7}}}"))
            .get(0)
            .rule();
    LifecycleRule prefix =
        LifecycleRules.read(
                config(
                    "{\"Rule\":{\"ID\":\"w\",\"Filter\":{\"Prefix\":\"\"},\"Status\":\"Enabled\","
                        + "\"Expiration\":{\"Days\":7}}}"))
            .get(0)
            .rule();
    assertThat(LifecycleRules.canonical(empty)).isEqualTo(LifecycleRules.canonical(prefix));
  }

  @Test
  void removingRulesKeepsTheOthersInOrder() {
    List<LifecycleRules.EventRule> set =
        LifecycleRules.read(
            config(
                "{\"Rule\":[{\"ID\":\"keep-1\",\"Filter\":\"\",\"Status\":\"Enabled\","
                    + "\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":7}},"
                    + "{\"ID\":\"bad\",\"Filter\":{\"Prefix\":\"backups/\"},\"Status\":\"Enabled\","
                    + "\"Expiration\":{\"Days\":30}},{\"ID\":\"keep-2\",\"Filter\":{\"Prefix\":"
                    + "\"logs/\"},\"Status\":\"Enabled\",\"Expiration\":{\"Days\":3}}]}"));
    List<LifecycleRule> current = LifecycleRules.sdkRules(set);
    List<LifecycleRule> matched = LifecycleRules.match(set, current);
    assertThat(LifecycleRules.without(current, List.of(matched.get(1))))
        .extracting(LifecycleRule::id)
        .containsExactly("keep-1", "keep-2");
  }

  @Test
  void jsonUsesS3sElementNames() {
    List<LifecycleRules.EventRule> set =
        LifecycleRules.read(
            config(
                "{\"Rule\":{\"ID\":\"expire-old-backups\",\"Filter\":{\"Prefix\":\"backups/\"},"
                    + "\"Status\":\"Enabled\",\"Expiration\":{\"Days\":30}}}"));
    assertThat(LifecycleRules.json(LifecycleRules.sdkRules(set)).toString())
        .isEqualTo(
            "{\"Rules\":[{\"ID\":\"expire-old-backups\",\"Status\":\"Enabled\","
                + "\"Filter\":{\"Prefix\":\"backups/\"},\"Expiration\":{\"Days\":30}}]}");
  }

  @Test
  void aDateOnlyOrADateTimeIsMidnightUtc() {
    assertThat(LifecycleRules.date("2026-12-01")).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(LifecycleRules.date("2026-12-01T00:00:00+00:00"))
        .isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(LifecycleRules.date("not a date")).isNull();
  }
}
