package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GlobsTest {

  @Test
  void starMatchesAnyRunAndEverythingElseIsLiteral() {
    assertThat(Globs.matches("system:serviceaccount:argocd:*", "system:serviceaccount:argocd:x"))
        .isTrue();
    assertThat(Globs.matches("system:serviceaccount:argocd:*", "system:serviceaccount:argo:x"))
        .isFalse();
    assertThat(
            Globs.matches(
                "system:serviceaccount:*:external-secrets",
                "system:serviceaccount:eso:external-secrets"))
        .isTrue();
    assertThat(Globs.matches("kube-system/bootstrap-token-*", "kube-system/bootstrap-token-ab12cd"))
        .isTrue();
    assertThat(Globs.matches("a.b", "axb")).as("a dot is literal").isFalse();
    assertThat(Globs.matches("arn:aws:iam::1:role/deploy-*", "arn:aws:iam::1:role/deploy-prod"))
        .isTrue();
    assertThat(Globs.matches("exact", "exact")).isTrue();
    assertThat(Globs.matches("exact", "exactly")).isFalse();
    assertThat(Globs.matches("x*", null)).isFalse();
  }

  @Test
  void firstMatchNamesTheGlobThatMatched() {
    assertThat(Globs.firstMatch(List.of("a*", "b*"), "bob")).isEqualTo("b*");
    assertThat(Globs.firstMatch(List.of("a*"), "bob")).isNull();
  }
}
