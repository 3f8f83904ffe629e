package dev.portcullis.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one process), started
 * inside this JVM. Used for the out-of-the-box run and by the tests; never in production.
 *
 * <p>Storage is formatted on first start and kept: a restart on the same folder keeps every topic
 * and committed offset.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private final int port;
  private final Path dataDir;
  private KafkaRaftServer server;

  /**
   * @param port PLAINTEXT port on 127.0.0.1; 0 picks a free one
   * @param dataDir log folder, created when missing
   */
  public EmbeddedKafkaBroker(int port, Path dataDir) {
    this.port = port == 0 ? freePort() : port;
    this.dataDir = dataDir.toAbsolutePath();
  }

  /** Starts the broker and waits until it answers. */
  public EmbeddedKafkaBroker start(Duration timeout) throws IOException {
    int controllerPort = freePort();
    Files.createDirectories(dataDir);
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", dataDir.toString());
    props.put("num.partitions", "4");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("log.flush.interval.messages", "10000");
    props.put("message.max.bytes", String.valueOf(20 * 1024 * 1024));

    if (!Files.exists(dataDir.resolve("meta.properties"))) {
      format(props);
    }
    server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
    server.startup();
    awaitReady(timeout);
    return this;
  }

  private void format(Properties props) throws IOException {
    Path config = Files.createTempFile("portcullis-kraft", ".properties");
    try {
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, "portcullis embedded broker");
      }
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int rc;
      try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
        rc =
            StorageTool.execute(
                new String[] {
                  "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()
                },
                ps);
      }
      if (rc != 0) {
        throw new IOException(
            "formatting Kafka storage in "
                + dataDir
                + " failed: "
                + buf.toString(StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(config);
    }
  }

  private void awaitReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IOException("the embedded Kafka broker did not answer within " + timeout, e);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the broker", e);
        }
      }
    }
  }

  /** Creates the topics that do not exist yet. */
  public void createTopics(Collection<String> names, int partitions) throws IOException {
    KafkaTopics.createMissing(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
        names.stream().map(n -> KafkaTopics.topic(n, partitions)).toList());
  }

  private Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000));
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on 127.0.0.1", e);
    }
  }
}
