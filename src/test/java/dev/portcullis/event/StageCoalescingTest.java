package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stages of one Kubernetes request that arrive together become one change. */
class StageCoalescingTest {

  static final Instant T = Instant.parse("2024-07-30T21:31:21Z");

  static ChangeEvent audit(String id, String stage) {
    return ChangeEvent.builder()
        .id(id, false)
        .source(ChangeEvent.K8S_AUDIT)
        .eventTime(T, false)
        .action("delete")
        .outcome(new Outcome(null, null, null, null, false, stage))
        .build();
  }

  static ChangeEvent cloudTrail(String id) {
    return ChangeEvent.builder()
        .id(id, false)
        .source(ChangeEvent.CLOUDTRAIL)
        .eventTime(T, false)
        .action("DeleteBucket")
        .build();
  }

  @Test
  void theMostCompleteStageWinsAtThePlaceOfTheFirst() {
    ChangeEvent received = audit("a", "RequestReceived");
    ChangeEvent other = audit("b", "ResponseComplete");
    ChangeEvent complete = audit("a", "ResponseComplete");
    assertThat(StageCoalescing.coalesce(List.of(received, other, complete)))
        .containsExactly(complete, other);
  }

  @Test
  void aLaterLessCompleteStageDoesNotReplaceAMoreCompleteOne() {
    ChangeEvent complete = audit("a", "ResponseComplete");
    ChangeEvent started = audit("a", "ResponseStarted");
    ChangeEvent received = audit("a", "RequestReceived");
    assertThat(StageCoalescing.coalesce(List.of(complete, started, received)))
        .containsExactly(complete);
  }

  @Test
  void allFourStagesBecomeThePanicOrTheCompleteStage() {
    List<ChangeEvent> stages =
        List.of(
            audit("a", "RequestReceived"),
            audit("a", "ResponseStarted"),
            audit("a", "ResponseComplete"));
    assertThat(StageCoalescing.coalesce(stages)).containsExactly(stages.get(2));
    ChangeEvent panic = audit("a", "Panic");
    assertThat(StageCoalescing.coalesce(List.of(stages.get(0), panic, stages.get(2))))
        .containsExactly(panic);
  }

  @Test
  void aRepeatedSameStageKeepsTheFirst() {
    ChangeEvent first = audit("a", "ResponseComplete");
    ChangeEvent again = audit("a", "ResponseComplete");
    assertThat(StageCoalescing.coalesce(List.of(first, again))).containsExactly(first);
  }

  @Test
  void otherSourcesSharingAnIdAreKeptInOrder() {
    ChangeEvent ct1 = cloudTrail("a");
    ChangeEvent k8s = audit("a", "ResponseComplete");
    ChangeEvent ct2 = cloudTrail("a");
    assertThat(StageCoalescing.coalesce(List.of(ct1, k8s, ct2))).containsExactly(ct1, k8s, ct2);
  }

  @Test
  void distinctRequestsStayAsTheyAre() {
    List<ChangeEvent> events =
        List.of(audit("a", "RequestReceived"), audit("b", "RequestReceived"), cloudTrail("c"));
    assertThat(StageCoalescing.coalesce(events)).containsExactlyElementsOf(events);
    assertThat(StageCoalescing.coalesce(List.of())).isEmpty();
    ChangeEvent one = audit("a", "RequestReceived");
    assertThat(StageCoalescing.coalesce(List.of(one))).containsExactly(one);
  }
}
