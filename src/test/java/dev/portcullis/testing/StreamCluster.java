package dev.portcullis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.ingest.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Instances of the packaged jar on one Kafka broker started by the test, the way an operator scales
 * out: same application id, same topics, each instance with a state folder of its own. Each cluster
 * gets topic names and an application id of its own, so several can share one broker.
 */
public final class StreamCluster implements AutoCloseable {

  public final String name;
  public final EmbeddedKafkaBroker broker;
  public final Path config;
  public final List<PackagedApp> apps = new ArrayList<>();
  public final Producer producer;
  public final TopicWatcher decisions;

  /** More environment for every instance started after it is set (TLS, tokens). */
  public final Map<String, String> extraEnv = new TreeMap<>();

  private int started;

  public StreamCluster(String name, EmbeddedKafkaBroker broker, String properties)
      throws IOException {
    this.name = name;
    this.broker = broker;
    this.config = Files.createTempFile("portcullis-" + name, ".properties");
    Files.writeString(config, properties);
    this.producer = new Producer(broker.bootstrapServers());
    broker.createTopics(
        List.of(
            topic("cloudtrail"),
            topic("k8s-audit"),
            topic("decisions"),
            topic("dead-letter"),
            topic("changes")),
        6);
    this.decisions = new TopicWatcher(broker.bootstrapServers(), topic("decisions"));
  }

  public String topic(String kind) {
    return name + "." + kind;
  }

  /** Starts one more instance and waits until it is ready. */
  public PackagedApp start() throws Exception {
    int n = ++started;
    PackagedApp app = PackagedApp.start(name + "-" + n, env(n), Duration.ofSeconds(120));
    apps.add(app);
    return app;
  }

  /** Starts {@code n} instances side by side and waits until all are ready. */
  public void startAll(int n) throws Exception {
    List<java.util.concurrent.CompletableFuture<PackagedApp>> starting = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = ++started;
      starting.add(
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return PackagedApp.start(name + "-" + k, env(k), Duration.ofSeconds(120));
                } catch (Exception e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              }));
    }
    for (java.util.concurrent.CompletableFuture<PackagedApp> f : starting) {
      apps.add(f.join());
    }
  }

  /** Restarts instance {@code n} (1-based) on the same state folder. */
  public PackagedApp restart(int n) throws Exception {
    PackagedApp app = PackagedApp.start(name + "-" + n + "-again", env(n), Duration.ofSeconds(120));
    apps.set(n - 1, app);
    return app;
  }

  private Map<String, String> env(int n) throws IOException {
    Map<String, String> env = new TreeMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", name);
    env.put("PORTCULLIS_TOPICS_CLOUDTRAIL", topic("cloudtrail"));
    env.put("PORTCULLIS_TOPICS_K8S_AUDIT", topic("k8s-audit"));
    env.put("PORTCULLIS_TOPICS_DECISIONS", topic("decisions"));
    env.put("PORTCULLIS_TOPICS_DEAD_LETTER", topic("dead-letter"));
    env.put("PORTCULLIS_TOPICS_CHANGES", topic("changes"));
    env.put("PORTCULLIS_ALERT_TOPIC", name + ".alerts");
    env.put("PORTCULLIS_ALERT_STATE_TOPIC", name + ".alert-state");
    env.put("KAFKA_STREAMS_STATE_DIR", stateDir(n).toString());
    env.put("QUARKUS_CONFIG_LOCATIONS", config.toUri().toString());
    env.putAll(extraEnv);
    return env;
  }

  /**
   * The state folder of instance {@code n}: kept across its restarts, as on a persistent volume.
   */
  public Path stateDir(int n) throws IOException {
    Path p = Path.of("target", "stream-state", name + "-" + n);
    Files.createDirectories(p);
    return p;
  }

  /** Sends a CloudTrail record under a random key: any input partition, any instance. */
  public void cloudtrail(String json) {
    producer.send(topic("cloudtrail"), Events.newId(), bytes(json));
  }

  public void k8s(String json) {
    producer.send(topic("k8s-audit"), Events.newId(), bytes(json));
  }

  static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The decision records read so far (committed ones only), by key. */
  public Map<String, List<JsonNode>> decisionsByKey() {
    Map<String, List<JsonNode>> out = new TreeMap<>();
    for (TopicWatcher.Record r : decisions.matching(x -> true)) {
      out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Events.read(r.value()));
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    for (PackagedApp a : apps) {
      if (a != null && a.isAlive()) {
        a.close();
      }
    }
    decisions.close();
    producer.close();
  }
}
