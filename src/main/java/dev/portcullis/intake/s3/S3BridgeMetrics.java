package dev.portcullis.intake.s3;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge's progress, under {@code portcullis.intake.s3.*}. Tags come from small fixed sets: the
 * message shape ({@link LogFileNotifications.Shape}), why a message was ignored, why a file failed
 * ({@code s3}, {@code kafka}, {@code sqs}, {@code missing-object}, and the poison-file codes of
 * {@link dev.portcullis.event.InvalidEventException}); never bucket names or keys.
 */
public final class S3BridgeMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer messageAge;

  /** Messages being worked on, by receipt handle: when SQS received them from the sender. */
  private final Map<String, Long> inFlight = new ConcurrentHashMap<>();

  private final ConcurrentSkipListMap<Long, AtomicLong> sentTimes = new ConcurrentSkipListMap<>();

  public S3BridgeMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.messageAge =
        Timer.builder("portcullis.intake.s3.message.age")
            .description(
                "From SQS receiving a notification (SentTimestamp) to the bridge deleting it")
            .register(registry);
    Gauge.builder("portcullis.intake.s3.oldest.message.age.seconds", this, m -> m.oldestAge())
        .description(
            "Age (since SentTimestamp) of the oldest notification being worked on; 0 when idle")
        .register(registry);
  }

  /** A message received; {@code sentMillis} is its SentTimestamp (0 when unknown). */
  void received(String receipt, long sentMillis) {
    counter("portcullis.intake.s3.messages", "outcome", "received").increment();
    if (sentMillis > 0) {
      inFlight.put(receipt, sentMillis);
      sentTimes.computeIfAbsent(sentMillis, k -> new AtomicLong()).incrementAndGet();
    }
  }

  /** A message deleted after its files were handled (written or dead-lettered). */
  void deleted(String receipt) {
    counter("portcullis.intake.s3.messages", "outcome", "deleted").increment();
    Long sent = done(receipt);
    if (sent != null) {
      messageAge.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - sent)));
    }
  }

  /** A message deleted unread: a test event, another event type, nothing that is a log file. */
  void ignored(String receipt, String why) {
    counter("portcullis.intake.s3.messages.ignored", "reason", why).increment();
    counter("portcullis.intake.s3.messages", "outcome", "deleted").increment();
    done(receipt);
  }

  /** A message left for SQS to hand out again after a back-off. */
  void retried(String receipt) {
    counter("portcullis.intake.s3.messages", "outcome", "retried").increment();
    done(receipt);
  }

  /** A message taken in, by shape. */
  void shape(LogFileNotifications.Shape shape) {
    counter("portcullis.intake.s3.notifications", "shape", shape.tag()).increment();
  }

  /** A log file read: its compressed and decompressed sizes. */
  void fileRead(long compressed, long json) {
    counter("portcullis.intake.s3.files", "outcome", "read").increment();
    counter("portcullis.intake.s3.bytes", "form", "compressed").increment(compressed);
    counter("portcullis.intake.s3.bytes", "form", "json").increment(json);
  }

  /** A log file skipped: its key is not a CloudTrail log file. */
  void fileSkipped() {
    counter("portcullis.intake.s3.files", "outcome", "not-a-log-file").increment();
  }

  void recordsWritten(int n) {
    counter("portcullis.intake.s3.records", "outcome", "written").increment(n);
  }

  void recordsRefused(int n) {
    counter("portcullis.intake.s3.records", "outcome", "refused").increment(n);
  }

  /** A failure, by reason (a fixed set, see the class). */
  void failure(String reason) {
    counter("portcullis.intake.s3.failures", "reason", reason).increment();
  }

  private Long done(String receipt) {
    Long sent = inFlight.remove(receipt);
    if (sent != null) {
      sentTimes.computeIfPresent(sent, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
    return sent;
  }

  private double oldestAge() {
    Map.Entry<Long, AtomicLong> oldest = sentTimes.firstEntry();
    return oldest == null ? 0 : Math.max(0, System.currentTimeMillis() - oldest.getKey()) / 1000.0;
  }

  private static final Map<String, String> DESCRIPTIONS =
      Map.of(
          "portcullis.intake.s3.messages",
          "SQS messages of the S3 bridge: received, deleted (read or ignored), left for a retry",
          "portcullis.intake.s3.messages.ignored",
          "SQS messages deleted unread: test events, other events, unknown shapes, no log file",
          "portcullis.intake.s3.notifications",
          "SQS messages by notification shape",
          "portcullis.intake.s3.files",
          "Objects named by notifications: log files read, other keys skipped",
          "portcullis.intake.s3.bytes",
          "Bytes of the log files read, gzip and decompressed",
          "portcullis.intake.s3.records",
          "Records of log files written or refused, once Kafka acknowledged them",
          "portcullis.intake.s3.failures",
          "Failures of the S3 bridge by reason");

  private Counter counter(String name, String tag, String value) {
    return counters.computeIfAbsent(
        name + "|" + value,
        k ->
            Counter.builder(name)
                .description(DESCRIPTIONS.get(name))
                .tag(tag, value)
                .register(registry));
  }
}
