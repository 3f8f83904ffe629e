package dev.portcullis.testing;

import dev.portcullis.ingest.EmbeddedKafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;

/**
 * A real Kafka broker (KRaft, in this JVM) for the tests: started once on a free port with its data
 * in a temporary folder, shared by every test class, and handed to Portcullis as {@code
 * kafka.bootstrap.servers}, so the service itself starts no embedded broker.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

  private static EmbeddedKafkaBroker broker;

  /** The shared broker, started on first use. */
  public static synchronized EmbeddedKafkaBroker broker() {
    if (broker == null) {
      try {
        broker =
            new EmbeddedKafkaBroker(0, TempDirs.create("portcullis-test-kafka"))
                .start(Duration.ofSeconds(60));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      TempDirs.closeAtExit(broker);
    }
    return broker;
  }

  @Override
  public Map<String, String> start() {
    try {
      return Map.of(
          "kafka.bootstrap.servers",
          broker().bootstrapServers(),
          // The stream's local state of this test JVM; the changelog topics stay on the broker.
          "kafka-streams.state.dir",
          TempDirs.create("portcullis-test-streams").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void stop() {
    // Shared by every test class; stopped when the test JVM exits.
  }
}
