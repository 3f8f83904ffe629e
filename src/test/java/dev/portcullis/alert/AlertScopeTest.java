package dev.portcullis.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.testing.Events;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A decision that names an alert scope ({@code details.alertScope}, as revert records do) is a
 * problem of its own: its dedup key differs from the finding about the same target it follows, and
 * each scope has one key of its own whatever the record.
 */
class AlertScopeTest {

  final AlertRouter router =
      new AlertRouter(
          null,
          id -> new PolicyAlerting.Facts(Duration.ofHours(1), null, null),
          null,
          null,
          new ObjectMapper());

  List<PendingAlert> alerts(String eventId, String details) {
    return router.alerts(
        Events.read(
            "{\"eventId\":\""
                + eventId
                + "\",\"source\":\"x\",\"eventTime\":\"2026-11-20T09:12:44Z\",\"target\":"
                + "{\"type\":\"AWS::S3::Bucket\",\"bucket\":\"example-etcd-backups\"},"
                + "\"decisions\":[{\"policy\":\"etcd-control-files\",\"action\":\"alert\","
                + "\"severity\":\"critical\",\"summary\":\"s\",\"details\":"
                + details
                + "}]}"));
  }

  @Test
  void aScopedDecisionHasADedupKeyOfItsOwn() {
    String finding = alerts("e1", "{\"bucket\":\"example-etcd-backups\"}").get(0).dedupKey();
    String revert = alerts("e1/revert", "{\"alertScope\":\"revert\"}").get(0).dedupKey();
    String revertAgain =
        alerts("e2/revert", "{\"alertScope\":\"revert\",\"revert\":\"failed\"}").get(0).dedupKey();
    String iac = alerts("e3/revert", "{\"alertScope\":\"iac-reapply\"}").get(0).dedupKey();

    assertThat(revert).isNotEqualTo(finding).isEqualTo(revertAgain);
    assertThat(iac).isNotEqualTo(finding).isNotEqualTo(revert);
    // A page about a revert says it is one, not "notify only, the change was not stopped".
    assertThat(AlertText.whatItDoes(alerts("e1/revert", "{\"revert\":\"done\"}").get(0)))
        .isEqualTo(
            "automatic revert (done): what Portcullis did about a blocked change, as the summary"
                + " says");
    assertThat(AlertText.whatItDoes(alerts("e1", "{}").get(0)))
        .isEqualTo("alert: notify only, the change was not stopped");
    assertThat(finding)
        .isEqualTo(
            DedupKeys.of(
                "etcd-control-files",
                Map.of("type", "AWS::S3::Bucket", "bucket", "example-etcd-backups")));
  }
}
