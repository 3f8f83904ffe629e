package dev.portcullis.event.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.Corpus;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lifecycle rules read from CloudTrail's JSON of the XML request, in every form S3 accepts. */
class LifecycleConfigurationTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static List<LifecycleRule> rules(String ruleJson) throws Exception {
    return LifecycleConfiguration.rules(
        JSON.readTree(
            "{\"bucketName\":\"b\",\"lifecycle\":\"\",\"LifecycleConfiguration\":{"
                + "\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\",\"Rule\":"
                + ruleJson
                + "}}"));
  }

  static LifecycleRule one(String ruleJson) throws Exception {
    List<LifecycleRule> r = rules(ruleJson);
    assertThat(r).hasSize(1);
    return r.get(0);
  }

  @Test
  void theCorpusRecordsAreRead() throws Exception {
    List<LifecycleRule> all = new ArrayList<>();
    for (Corpus.Line l : Corpus.lines("cloudtrail")) {
      if (l.json().contains("\"PutBucketLifecycle\"")) {
        all.addAll(LifecycleConfiguration.rules(JSON.readTree(l.json()).path("requestParameters")));
      }
    }
    assertThat(all).hasSize(3);
    // {"Prefix":"*"}: a literal asterisk, Enabled and Disabled; "": the whole bucket.
    assertThat(all.get(0).filter().prefix()).isEqualTo("*");
    assertThat(all.get(0).enabled()).isTrue();
    assertThat(all.get(0).actions())
        .containsExactly(new LifecycleAction(LifecycleAction.Kind.EXPIRATION, 1L, null, null));
    assertThat(all.get(1).enabled()).isFalse();
    LifecycleRule whole = all.get(2);
    assertThat(whole.id()).isEqualTo("nuke-cloudtrail-logs-after-730-days");
    assertThat(whole.filter()).isEqualTo(LifecycleFilter.WHOLE_BUCKET);
    assertThat(whole.actions())
        .extracting(LifecycleAction::kind)
        .containsExactly(
            LifecycleAction.Kind.EXPIRATION, LifecycleAction.Kind.NONCURRENT_EXPIRATION);
  }

  @Test
  void oneRuleIsAnObjectSeveralAreAList() throws Exception {
    assertThat(rules("{\"ID\":\"a\",\"Status\":\"Enabled\",\"Expiration\":{\"Days\":1}}"))
        .extracting(LifecycleRule::id)
        .containsExactly("a");
    assertThat(
            rules(
                "[{\"ID\":\"a\",\"Status\":\"Enabled\"},{\"Status\":\"Enabled\"},"
                    + "{\"ID\":\"c\",\"Status\":\"Disabled\"}]"))
        .extracting(LifecycleRule::id)
        .containsExactly("a", "rule-2", "c");
    assertThat(LifecycleConfiguration.rules(JSON.readTree("{\"bucketName\":\"b\"}"))).isEmpty();
    assertThat(LifecycleConfiguration.rules(null)).isEmpty();
  }

  @Test
  void filterForms() throws Exception {
    // Missing, "" and {} cover the whole bucket.
    assertThat(one("{\"ID\":\"x\",\"Status\":\"Enabled\"}").filter().wholeBucket()).isTrue();
    assertThat(one("{\"Filter\":\"\",\"Status\":\"Enabled\"}").filter())
        .isEqualTo(LifecycleFilter.WHOLE_BUCKET);
    assertThat(one("{\"Filter\":{},\"Status\":\"Enabled\"}").filter())
        .isEqualTo(LifecycleFilter.WHOLE_BUCKET);
    // The legacy form: Prefix on the rule.
    assertThat(one("{\"Prefix\":\"backups/\",\"Status\":\"Enabled\"}").filter().prefix())
        .isEqualTo("backups/");
    assertThat(one("{\"Filter\":{\"Prefix\":\"logs/\"}}").filter().prefix()).isEqualTo("logs/");
    // A single tag.
    LifecycleFilter tag =
        one("{\"Filter\":{\"Tag\":{\"Key\":\"env\",\"Value\":\"tmp\"}}}").filter();
    assertThat(tag.wholeBucket()).isTrue();
    assertThat(tag.tags()).isEqualTo(Map.of("env", "tmp"));
    assertThat(tag.describeConditions()).isEqualTo("tagged env=tmp");
    // And: prefix, tags as a list, size bounds as strings and numbers.
    LifecycleFilter and =
        one("{\"Filter\":{\"And\":{\"Prefix\":\"backups/\",\"Tag\":["
                + "{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"}],"
                + "\"ObjectSizeGreaterThan\":\"1024\",\"ObjectSizeLessThan\":1048576}}}")
            .filter();
    assertThat(and.prefix()).isEqualTo("backups/");
    assertThat(and.tags()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
    assertThat(and.sizeGreaterThan()).isEqualTo(1024L);
    assertThat(and.sizeLessThan()).isEqualTo(1048576L);
    assertThat(and.describeConditions())
        .isEqualTo("tagged a=1 and b=2, larger than 1024 bytes, smaller than 1048576 bytes");
    assertThat(and.coversSize(2000L)).isTrue();
    assertThat(and.coversSize(1024L)).isFalse();
    assertThat(and.coversSize(null)).isFalse();
    assertThat(and.coversTags(Map.of("a", "1", "b", "2", "c", "3"))).isTrue();
    assertThat(and.coversTags(Map.of("a", "1"))).isFalse();
    // Size bounds without And.
    assertThat(one("{\"Filter\":{\"ObjectSizeGreaterThan\":10}}").filter().sizeGreaterThan())
        .isEqualTo(10L);
    // Field names in other cases (some exports lower-case them).
    assertThat(one("{\"filter\":{\"prefix\":\"x/\"},\"status\":\"enabled\"}").filter().prefix())
        .isEqualTo("x/");
  }

  @Test
  void statusAndActions() throws Exception {
    LifecycleRule r =
        one(
            "{\"ID\":\"all\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"p/\"},"
                + "\"Expiration\":{\"Date\":\"2026-12-01T00:00:00.000Z\"},"
                + "\"Transition\":[{\"Days\":\"30\",\"StorageClass\":\"standard_ia\"},"
                + "{\"Days\":60,\"StorageClass\":\"GLACIER\"}],"
                + "\"NoncurrentVersionTransition\":{\"NoncurrentDays\":7,"
                + "\"StorageClass\":\"DEEP_ARCHIVE\"},"
                + "\"NoncurrentVersionExpiration\":{\"NoncurrentDays\":\"90\","
                + "\"NewerNoncurrentVersions\":3},"
                + "\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":7}}");
    assertThat(r.enabled()).isTrue();
    assertThat(r.actions())
        .containsExactly(
            new LifecycleAction(
                LifecycleAction.Kind.EXPIRATION, null, LocalDate.of(2026, 12, 1), null),
            new LifecycleAction(LifecycleAction.Kind.TRANSITION, 30L, null, "STANDARD_IA"),
            new LifecycleAction(LifecycleAction.Kind.TRANSITION, 60L, null, "GLACIER"),
            new LifecycleAction(LifecycleAction.Kind.NONCURRENT_EXPIRATION, 90L, null, null),
            new LifecycleAction(
                LifecycleAction.Kind.NONCURRENT_TRANSITION, 7L, null, "DEEP_ARCHIVE"),
            new LifecycleAction(LifecycleAction.Kind.ABORT_MULTIPART, 7L, null, null));
    assertThat(r.actions().get(0).when()).isEqualTo("on 2026-12-01");
    assertThat(r.actions().get(2).when()).isEqualTo("after 60 days");
    assertThat(
            r.actions().stream().filter(a -> a.kind().touchesCurrentObjects()).map(a -> a.kind()))
        .containsExactly(
            LifecycleAction.Kind.EXPIRATION,
            LifecycleAction.Kind.TRANSITION,
            LifecycleAction.Kind.TRANSITION);

    assertThat(one("{\"Status\":\"Disabled\",\"Expiration\":{\"Days\":1}}").enabled()).isFalse();
    assertThat(one("{\"Expiration\":{\"Days\":1}}").enabled()).isFalse(); // no Status: not on
    // ExpiredObjectDeleteMarker alone removes delete markers, never current objects.
    assertThat(
            one("{\"Status\":\"Enabled\",\"Expiration\":{\"ExpiredObjectDeleteMarker\":\"true\"}}")
                .actions())
        .containsExactly(
            new LifecycleAction(LifecycleAction.Kind.EXPIRED_DELETE_MARKERS, null, null, null));
    assertThat(
            one("{\"Status\":\"Enabled\",\"Expiration\":{\"Days\":1.0}}").actions().get(0).days())
        .isEqualTo(1L);
    assertThat(one("{\"Status\":\"Enabled\",\"Expiration\":{\"Days\":\"soon\"}}").actions())
        .isEmpty();
  }

  @Test
  void theConfigurationIsKeptAsRecorded() throws Exception {
    JsonNode rp =
        JSON.readTree(
            "{\"LifecycleConfiguration\":{\"Rule\":{\"ID\":\"a\",\"Status\":\"Enabled\"}}}");
    assertThat(LifecycleConfiguration.configuration(rp))
        .isEqualTo(rp.get("LifecycleConfiguration"));
    assertThat(LifecycleConfiguration.configuration(JSON.readTree("{}"))).isNull();
  }
}
