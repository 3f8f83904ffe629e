package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real SQS API server for the tests: ElasticMQ in this JVM on a free loopback port, shared by the
 * test classes (each creates its own queues) and stopped when the test JVM exits.
 */
public final class ElasticMqServer {

  private static ElasticMqServer shared;

  private final int port;
  private final SQSRestServer server;
  private final SqsClient client;

  private ElasticMqServer(int port, SQSRestServer server) {
    this.port = port;
    this.server = server;
    this.client =
        SqsClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(endpoint())
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
  }

  /** The shared server, started on first use. */
  public static synchronized ElasticMqServer shared() {
    if (shared == null) {
      int port = freePort();
      SQSRestServer server = SQSRestServerBuilder.withPort(port).withInterface("127.0.0.1").start();
      server.waitUntilStarted();
      shared = new ElasticMqServer(port, server);
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "test-elasticmq-shutdown"));
    }
    return shared;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** A client for the test's own calls (sending, counting). */
  public SqsClient client() {
    return client;
  }

  /** Creates a queue (or finds it) and returns its URL. */
  public String createQueue(String name) {
    return client
        .createQueue(
            b -> b.queueName(name).attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "30")))
        .queueUrl();
  }

  /** Messages in the queue, visible or being worked on. */
  public int messagesIn(String queueUrl) {
    Map<QueueAttributeName, String> a =
        client
            .getQueueAttributes(
                b ->
                    b.queueUrl(queueUrl)
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
            .attributes();
    return a.values().stream().mapToInt(Integer::parseInt).sum();
  }

  private void stop() {
    client.close();
    server.stopAndWait();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
