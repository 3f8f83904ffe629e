package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import org.awaitility.Awaitility;

/**
 * Base of the local HTTP receivers that stand in for providers with no local server. Listens on a
 * free loopback port chosen at first start and kept across {@link #stop()} / {@link #start()}, so a
 * test can take the receiver down (connection refused) and bring it back at the same address.
 */
abstract class HttpReceiver implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer server;
  private int port;

  /** Starts listening (again). */
  synchronized HttpReceiver start() {
    if (server != null) {
      return this;
    }
    // The port was just released by stop(); binding again may need a moment on a busy machine.
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptionsInstanceOf(BindException.class)
        .until(this::bind);
    return this;
  }

  private boolean bind() throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
    s.createContext("/", this::handleSafely);
    s.setExecutor(Executors.newFixedThreadPool(4));
    s.start();
    port = s.getAddress().getPort();
    server = s;
    return true;
  }

  /** Stops listening: calls are refused until {@link #start()}. */
  synchronized void stop() {
    if (server != null) {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
      server = null;
    }
  }

  synchronized boolean isUp() {
    return server != null;
  }

  int port() {
    return port;
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  private void handleSafely(HttpExchange ex) throws IOException {
    try {
      handle(ex);
    } catch (RuntimeException e) {
      send(ex, 500, "text/plain", "receiver failure: " + e);
    } finally {
      ex.close();
    }
  }

  abstract void handle(HttpExchange ex) throws IOException;

  static String body(HttpExchange ex) {
    try {
      return new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    send(ex, status, type, body, Map.of());
  }

  static void send(
      HttpExchange ex, int status, String type, String body, Map<String, String> headers)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
  }

  static String contentType(HttpExchange ex) {
    String t = ex.getRequestHeaders().getFirst("Content-Type");
    return t == null ? "" : t.toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void close() {
    stop();
  }
}
