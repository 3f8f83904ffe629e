package dev.portcullis.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.protect.KeyGlob.Reach;
import org.junit.jupiter.api.Test;

/** Protected-key globs: matching keys, and how a lifecycle prefix reaches them. */
class KeyGlobTest {

  static final KeyGlob CREATED = KeyGlob.parse("**/backups/etcd/*/control/etcd-cluster-created");

  @Test
  void matchesKeysWithAnyLeadingFoldersAndOneClusterSegment() {
    assertThat(CREATED.matches("backups/etcd/main/control/etcd-cluster-created")).isTrue();
    assertThat(CREATED.matches("prod.example.com/backups/etcd/events/control/etcd-cluster-created"))
        .isTrue();
    assertThat(CREATED.matches("a/b/c/backups/etcd/main/control/etcd-cluster-created")).isTrue();
    // * is one segment, never two; the file name is exact.
    assertThat(CREATED.matches("backups/etcd/main/x/control/etcd-cluster-created")).isFalse();
    assertThat(CREATED.matches("backups/etcd/main/control/etcd-cluster-created.bak")).isFalse();
    assertThat(CREATED.matches("xbackups/etcd/main/control/etcd-cluster-created")).isFalse();
    assertThat(CREATED.matches(null)).isFalse();
    // Regex characters in the pattern are literal.
    KeyGlob dots = KeyGlob.parse("*/cluster.spec");
    assertThat(dots.matches("prod.k8s.local/cluster.spec")).isTrue();
    assertThat(dots.matches("prod.k8s.local/clusterXspec")).isFalse();
    assertThat(KeyGlob.parse("a/**").matches("a/b/c")).isTrue();
    assertThat(KeyGlob.parse("logs/*.gz").matches("logs/app.gz")).isTrue();
    assertThat(KeyGlob.parse("logs/*.gz").matches("logs/x/app.gz")).isFalse();
  }

  @Test
  void directReachIsThePatternWithEveryDoubleStarBoundToNothing() {
    for (String p :
        new String[] {
          "b",
          "backups/",
          "backups/etcd/",
          "backups/etcd/ma",
          "backups/etcd/main/",
          "backups/etcd/main/control/etcd-cluster-created",
          "backups/etcd/anything-at-all/control/"
        }) {
      assertThat(CREATED.reach(p)).as(p).isEqualTo(Reach.DIRECT);
    }
    // An empty prefix is a prefix of everything.
    assertThat(CREATED.reach("")).isEqualTo(Reach.DIRECT);
  }

  @Test
  void prefixesOnlyADoubleStarCanAbsorb() {
    // "*" is a literal character in a lifecycle prefix: no key "backups/..." starts with it, but
    // "*x/backups/etcd/main/control/etcd-cluster-created" does, through the leading **.
    assertThat(CREATED.reach("*")).isEqualTo(Reach.ABSORBED);
    assertThat(CREATED.reach("logs/")).isEqualTo(Reach.ABSORBED);
    assertThat(CREATED.reach("prod.example.com/")).isEqualTo(Reach.ABSORBED);
    assertThat(CREATED.reach("backups/etcd/main/x/")).isEqualTo(Reach.ABSORBED);
    // Without a **, a prefix that leaves the pattern reaches nothing.
    KeyGlob bound = KeyGlob.parse("s3://state/*/config");
    assertThat(bound.reach("prod/")).isEqualTo(Reach.DIRECT);
    assertThat(bound.reach("prod/con")).isEqualTo(Reach.DIRECT);
    assertThat(bound.reach("prod/x/")).isEqualTo(Reach.NONE);
    assertThat(bound.reach("prod/configs")).isEqualTo(Reach.NONE);
    assertThat(KeyGlob.parse("backups/etcd/*/control/x").reach("logs/")).isEqualTo(Reach.NONE);
  }

  @Test
  void narrowedKeysFillInWhatThePrefixFixes() {
    assertThat(CREATED.narrowedBy("backups/etcd/main/"))
        .isEqualTo("backups/etcd/main/control/etcd-cluster-created");
    assertThat(CREATED.narrowedBy("backups/"))
        .isEqualTo("backups/etcd/*/control/etcd-cluster-created");
    assertThat(CREATED.narrowedBy("backups/etcd/ma"))
        .isEqualTo("backups/etcd/ma*/control/etcd-cluster-created");
    assertThat(CREATED.narrowedBy("backups/etcd/main/control/etcd"))
        .isEqualTo("backups/etcd/main/control/etcd-cluster-created");
    // Not direct: the pattern itself.
    assertThat(CREATED.narrowedBy("logs/"))
        .isEqualTo("**/backups/etcd/*/control/etcd-cluster-created");
  }

  @Test
  void bucketBindingAndErrors() {
    KeyGlob g = KeyGlob.parse(" s3://kops-state/prod/config ");
    assertThat(g.bucket()).isEqualTo("kops-state");
    assertThat(g.glob()).isEqualTo("prod/config");
    assertThat(g.appliesTo("kops-state")).isTrue();
    assertThat(g.appliesTo("other")).isFalse();
    assertThat(CREATED.appliesTo("any")).isTrue();
    assertThatThrownBy(() -> KeyGlob.parse("s3://bucket-only"))
        .hasMessageContaining("s3://bucket/<glob>");
    assertThatThrownBy(() -> KeyGlob.parse("s3://b/")).hasMessageContaining("s3://bucket/<glob>");
    assertThatThrownBy(() -> KeyGlob.parse(" ")).hasMessageContaining("must not be empty");
  }
}
