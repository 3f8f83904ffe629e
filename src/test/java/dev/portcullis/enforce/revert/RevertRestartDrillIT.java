package dev.portcullis.enforce.revert;

import static dev.portcullis.enforce.revert.LifecycleFixtures.LOGS_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.OUTAGE_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.UPLOADS_RULE;
import static dev.portcullis.enforce.revert.LifecycleFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.S3MockServer;
import dev.portcullis.testing.StreamCluster;
import dev.portcullis.testing.TempDirs;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The reverts' state across a SIGKILL, against the packaged jar, a real S3 API server (S3Mock) and
 * a broker started by the test: a bucket's earlier lifecycle configuration, learned before the
 * kill, is what the revert puts back after it (without it, the revert could only remove the
 * offending rule); and the revert recorded before a kill is not run again for a redelivery after
 * it.
 */
class RevertRestartDrillIT {

  static final Duration WAIT = Duration.ofSeconds(60);

  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  @Test
  void theConfigurationLearnedBeforeAKillIsWhatTheRevertPutsBackAfterIt() throws Exception {
    String bucket = "drill-" + Events.newId().substring(0, 8);
    try (S3MockServer s3mock = S3MockServer.start(bucket);
        EmbeddedKafkaBroker broker =
            new EmbeddedKafkaBroker(0, TempDirs.create("revert-drill-kafka"))
                .start(Duration.ofSeconds(60));
        S3Client s3 = client(s3mock.endpoint())) {
      String props =
          "portcullis.aws.s3.enabled=true\n"
              + "portcullis.aws.s3.endpoint="
              + s3mock.endpoint()
              + "\nportcullis.aws.s3.path-style=true\n"
              + "portcullis.aws.s3.access-key-id=s3mock\n"
              + "portcullis.aws.s3.secret-access-key=s3mock\n"
              + "portcullis.aws.s3.cache-ttl=PT0S\n"
              + "portcullis.revert.policies=etcd-control-files\n"
              + "portcullis.policy.enforcement.\"etcd-control-files\"=block\n";
      try (StreamCluster c = new StreamCluster("revert-drill", broker, props)) {
        c.start();
        Instant t = now();
        // Someone sets a harmless configuration: Portcullis learns it.
        JsonNode logs = config(LOGS_RULE);
        LifecycleFixtures.apply(s3, bucket, logs);
        String first = Events.newId();
        c.cloudtrail(lifecycleEvent(first, bucket, t.minusSeconds(60), logs));
        await().atMost(WAIT).until(() -> c.decisionsByKey().containsKey(first));

        c.apps.get(0).kill();
        c.restart(1);

        // The seed outage's rule, set after the restart: reverted to the configuration before it.
        JsonNode outage = config(UPLOADS_RULE, OUTAGE_RULE);
        LifecycleFixtures.apply(s3, bucket, outage);
        String second = Events.newId();
        String event = lifecycleEvent(second, bucket, t, outage);
        c.cloudtrail(event);
        String revert = second + "/revert/etcd-control-files";
        await().atMost(WAIT).until(() -> c.decisionsByKey().containsKey(revert));
        JsonNode record = c.decisionsByKey().get(revert).get(0);
        assertThat(record.path("decisions").get(0).path("details").path("revert").asText())
            .isEqualTo("done");
        assertThat(LifecycleFixtures.ruleIds(s3, bucket)).containsExactly("expire-logs");

        // A kill after the revert was recorded, and the same event again (CloudTrail redelivers):
        // neither decided nor reverted a second time, even with the outage configuration back.
        c.apps.get(0).kill();
        c.restart(1);
        LifecycleFixtures.apply(s3, bucket, outage);
        c.cloudtrail(event);
        await()
            .during(Duration.ofSeconds(5))
            .atMost(WAIT)
            .until(
                () ->
                    c.decisionsByKey().get(revert).size() == 1
                        && c.decisionsByKey().get(second).size() == 1);
        assertThat(LifecycleFixtures.ruleIds(s3, bucket))
            .containsExactly("abort-uploads", "expire-old-backups");
      }
    }
  }

  static S3Client client(URI endpoint) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.EU_WEST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("s3mock", "s3mock")))
        .build();
  }

  static String lifecycleEvent(String id, String bucket, Instant at, JsonNode config) {
    return RevertStreamTest.byPerson(RevertStreamTest.lifecycleEvent(id, bucket, at, config));
  }
}
