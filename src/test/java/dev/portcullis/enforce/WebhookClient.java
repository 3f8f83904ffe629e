package dev.portcullis.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.AdmissionReviews;
import dev.portcullis.testing.TempDirs;
import dev.portcullis.testing.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/** Calls the webhook over HTTPS like the API server does, trusting only the test certificate. */
final class WebhookClient {

  static final HttpClient HTTPS = TestCertificates.client();

  private WebhookClient() {}

  static HttpResponse<String> post(URL url, String body) {
    try {
      return HTTPS.send(
          HttpRequest.newBuilder(url.toURI())
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The {@code response} of an answered review, after checking the envelope. */
  static JsonNode answer(HttpResponse<String> r) {
    if (r.statusCode() != 200) {
      throw new AssertionError("expected 200, got " + r.statusCode() + ": " + r.body());
    }
    JsonNode review = AdmissionReviews.read(r.body());
    if (!"admission.k8s.io/v1".equals(review.path("apiVersion").asText())
        || !"AdmissionReview".equals(review.path("kind").asText())) {
      throw new AssertionError("not an admission.k8s.io/v1 AdmissionReview: " + r.body());
    }
    return review.path("response");
  }

  /** A copy of the repository's rules/ folder in a temporary folder, to add exceptions to. */
  static Path copyOfRules(String prefix) {
    try {
      Path dir = TempDirs.create(prefix);
      Path src = Path.of("rules");
      try (Stream<Path> walk = Files.walk(src)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          Path to = dir.resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(to);
          } else {
            Files.copy(p, to);
          }
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
