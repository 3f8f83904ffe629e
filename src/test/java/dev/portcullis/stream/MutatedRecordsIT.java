package dev.portcullis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.DecodedBatch;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import dev.portcullis.testing.Events;
import dev.portcullis.testing.RecordMutations;
import dev.portcullis.testing.StreamCluster;
import dev.portcullis.testing.TempDirs;
import dev.portcullis.testing.TopicWatcher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A property of the stream, checked on mutated records through the packaged service and a real
 * broker: <b>every input record ends as at least one decision record or a dead letter</b>, and the
 * service stays ready. Nothing read is lost in silence, whatever arrives.
 *
 * <p>The records are corpus events (or, without the corpus, the policy test cases' events) changed
 * by {@link RecordMutations}: cut short, bytes changed, fields removed or of another type, unicode,
 * huge strings, nested arrays, numbers as text, unknown stages, extra fields, wrapped in batches,
 * on the other topic. Each record gets an id of its own, so no record is a second delivery of
 * another (those are dropped by design); a record whose id was lost to a mutation may still decode
 * to an event decided for another record, and then counts as that duplicate.
 *
 * <p>A decision is traced to its input by its {@code input-topic/-partition/-offset} headers, a
 * dead letter by its {@code dead-letter-topic/-partition/-offset}. The draws come from a fixed seed
 * ({@code -Dprop.seed=N} to change it, {@code -Dprop.tries}, {@code -Dprop.batch}); a silent record
 * is rebuilt with one mutation fewer at a time while it stays silent, and reported with the
 * smallest set of mutations that still loses it.
 */
class MutatedRecordsIT {

  static final long SEED = Long.getLong("prop.seed", 20261202L);
  static final int TRIES = Integer.getInteger("prop.tries", 16);
  static final int BATCH = Integer.getInteger("prop.batch", 40);

  /** How long a try waits for all its records to be accounted for. */
  static final Duration SETTLE = Duration.ofSeconds(20);

  /** How long a rebuilt record may stay silent before it counts as lost while shrinking. */
  static final Duration SHRINK_SETTLE = Duration.ofSeconds(6);

  static final Duration SHRINK_BUDGET = Duration.ofSeconds(30);

  static final ObjectMapper JSON = new ObjectMapper();

  static EmbeddedKafkaBroker broker;
  static StreamCluster cluster;
  static TopicWatcher deadLetters;

  /** The service's own decoder settings, to tell a duplicate from a loss. */
  static final EventDecoder DECODER = new EventDecoder(JSON, 16 * 1024 * 1024);

  @BeforeAll
  static void start() throws Exception {
    broker =
        new EmbeddedKafkaBroker(0, TempDirs.create("mutated-records-kafka"))
            .start(Duration.ofSeconds(60));
    String name = "mutated-" + Events.newId().substring(0, 8);
    cluster = new StreamCluster(name, broker, "portcullis.ingest.stage-wait=PT1S\n");
    deadLetters = new TopicWatcher(broker.bootstrapServers(), cluster.topic("dead-letter"));
    cluster.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (deadLetters != null) {
      deadLetters.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /** A record as sent: how it was made and where the broker put it. */
  record Sent(RecordMutations.Draw draw, RecordMutations.Built built, RecordMetadata at) {
    String where() {
      return at.topic() + "-" + at.partition() + "@" + at.offset();
    }
  }

  static Sent send(RecordMutations.Draw draw) {
    RecordMutations.Built b = draw.build(Events.newId());
    boolean audit = b.seed().audit() != b.wrongTopic();
    String topic = cluster.topic(audit ? "k8s-audit" : "cloudtrail");
    RecordMetadata at = cluster.producer.send(topic, Events.newId(), b.bytes());
    return new Sent(draw, b, at);
  }

  static Predicate<TopicWatcher.Record> from(RecordMetadata at, String prefix) {
    return r ->
        at.topic().equals(r.headers().get(prefix + "topic"))
            && String.valueOf(at.partition()).equals(r.headers().get(prefix + "partition"))
            && String.valueOf(at.offset()).equals(r.headers().get(prefix + "offset"));
  }

  /** Decided, dead-lettered, or a duplicate of an event decided for another record. */
  static boolean accountedFor(Sent s) {
    return outcome(s) != null;
  }

  /** "decided", "dead-lettered", "duplicate", or null while it is none of them. */
  static String outcome(Sent s) {
    if (!cluster.decisions.matching(from(s.at(), "input-")).isEmpty()) {
      return "decided";
    }
    if (!deadLetters.matching(from(s.at(), "dead-letter-")).isEmpty()) {
      return "dead-lettered";
    }
    List<String> ids = localIds(s);
    return !ids.isEmpty() && ids.stream().allMatch(id -> !cluster.decisions.withKey(id).isEmpty())
        ? "duplicate"
        : null;
  }

  /** The ids of the events the record decodes to here, as the service decodes it. */
  static List<String> localIds(Sent s) {
    try {
      DecodedBatch b = DECODER.decode(s.built().bytes(), Instant.now());
      return b.events().stream().map(ChangeEvent::getId).toList();
    } catch (InvalidEventException e) {
      return List.of();
    }
  }

  static String localOutcome(Sent s) {
    try {
      DecodedBatch b = DECODER.decode(s.built().bytes(), Instant.now());
      return b.events().size() + " events " + localIds(s) + ", rejected " + b.rejected().size();
    } catch (InvalidEventException e) {
      return "refused " + e.reason() + " (" + e.field() + ")";
    }
  }

  static List<Sent> awaitSilent(List<Sent> sent, Duration settle) throws InterruptedException {
    List<Sent> silent = new ArrayList<>(sent);
    try {
      org.awaitility.Awaitility.await()
          .atMost(settle)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                silent.removeIf(MutatedRecordsIT::accountedFor);
                return silent.isEmpty() || !ready();
              });
    } catch (org.awaitility.core.ConditionTimeoutException stillSilent) {
      // What is left after the settle time is what the stream never accounted for.
    }
    silent.removeIf(MutatedRecordsIT::accountedFor);
    return silent;
  }

  /** Rebuilds a silent record with one mutation fewer at a time, keeping what stays silent. */
  static RecordMutations.Draw shrink(RecordMutations.Draw draw, long budgetEnd)
      throws InterruptedException {
    boolean smaller = true;
    while (smaller && System.nanoTime() < budgetEnd) {
      smaller = false;
      for (int i = 0; i < draw.mutations().size() && System.nanoTime() < budgetEnd; i++) {
        RecordMutations.Draw fewer = draw.without(i);
        if (!awaitSilent(List.of(send(fewer)), SHRINK_SETTLE).isEmpty()) {
          draw = fewer;
          smaller = true;
          break;
        }
      }
    }
    return draw;
  }

  static boolean ready() {
    try {
      return cluster.apps.get(0).isAlive() && health() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  static int health() throws Exception {
    return healthResponse().statusCode();
  }

  /** The health checks and their states, e.g. {@code [Kafka Streams state health check=UP]}. */
  static List<String> checks() throws Exception {
    List<String> out = new ArrayList<>();
    JSON.readTree(healthResponse().body())
        .path("checks")
        .forEach(c -> out.add(c.path("name").asText() + "=" + c.path("status").asText()));
    return out;
  }

  static HttpResponse<String> healthResponse() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                // Readiness and liveness: the stream's state is among the liveness checks.
                HttpRequest.newBuilder(URI.create(cluster.apps.get(0).url("/q/health")))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r;
  }

  @Test
  void everyRecordEndsAsADecisionOrADeadLetterAndTheServiceStaysReady() throws Exception {
    boolean corpus = "true".equals(System.getenv("CI")) || corpusPresent();
    List<RecordMutations.Seed> seeds = RecordMutations.seeds(corpus);
    Random random = new Random(SEED);
    long started = System.nanoTime();
    TreeMap<String, Integer> kinds = new TreeMap<>();
    TreeMap<String, Integer> outcomes = new TreeMap<>();
    int sentCount = 0;
    for (int t = 0; t < TRIES; t++) {
      List<Sent> sent = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        RecordMutations.Draw d = RecordMutations.draw(random, seeds);
        d.mutations().forEach(m -> kinds.merge(m.kind().name(), 1, Integer::sum));
        sent.add(send(d));
      }
      sentCount += sent.size();
      List<Sent> silent = awaitSilent(sent, SETTLE);
      if (!silent.isEmpty() || !ready()) {
        throw new AssertionError(report(t, sent.size(), silent));
      }
      sent.forEach(x -> outcomes.merge(outcome(x), 1, Integer::sum));
    }
    System.out.printf(
        "[property] seed %d: %d tries of %d mutated records (%d seeds%s) all decided or"
            + " dead-lettered in %d s: %s; mutations %s%n",
        SEED,
        TRIES,
        BATCH,
        seeds.size(),
        corpus ? ", corpus" : ", fixtures only",
        Duration.ofNanos(System.nanoTime() - started).toSeconds(),
        outcomes,
        kinds);
    assertThat(cluster.apps.get(0).isAlive()).isTrue();
    assertThat(health()).as("/q/health (ready and live): " + checks()).isEqualTo(200);
    System.out.println("[property] health checks at the end: " + checks());
  }

  static boolean corpusPresent() {
    String dir = System.getProperty("test.corpus.dir", "../shared/corpus");
    return Files.isDirectory(java.nio.file.Path.of(dir, "cloudtrail"));
  }

  static String report(int t, int n, List<Sent> silent) throws Exception {
    StringBuilder sb = new StringBuilder();
    boolean alive = ready();
    sb.append("seed ")
        .append(SEED)
        .append(", try ")
        .append(t)
        .append(": ")
        .append(silent.size())
        .append(" of ")
        .append(n)
        .append(" records ended as neither a decision nor a dead letter")
        .append(alive ? "" : " (the service is no longer ready)")
        .append('\n');
    long budgetEnd = System.nanoTime() + SHRINK_BUDGET.toNanos();
    Set<String> shown = new HashSet<>();
    for (Sent s : silent) {
      sb.append("  ")
          .append(s.where())
          .append(' ')
          .append(s.built().describe())
          .append("; decoded here: ")
          .append(localOutcome(s))
          .append('\n');
      if (alive && shown.add(s.draw().seed().ref()) && shown.size() <= 3) {
        RecordMutations.Draw smallest = shrink(s.draw(), budgetEnd);
        sb.append("    shrunk to ").append(smallest.mutations()).append('\n');
      }
    }
    if (!alive) {
      sb.append("service errors:\n");
      cluster
          .apps
          .get(0)
          .log()
          .lines()
          .filter(l -> l.contains("ERROR"))
          .limit(10)
          .forEach(l -> sb.append(Decode.cut(l, 600)).append('\n'));
    }
    return sb.toString();
  }
}
