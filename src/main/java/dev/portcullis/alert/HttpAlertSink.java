package dev.portcullis.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A sink reached by one HTTP POST per notification. Subclasses render the provider's format; this
 * class bounds the call (timeout), adds configured headers and says what an answer means: 2xx
 * delivered; 400, 413 and 422 rejected (this message will never be accepted, so retrying it would
 * only hold up the ones behind it); anything else, or no answer, is retried.
 */
abstract class HttpAlertSink {

  /** Outcome of one call. */
  enum Verdict {
    DELIVERED,
    RETRY,
    REJECTED
  }

  /**
   * One call's result.
   *
   * @param verdict what to do next
   * @param status the HTTP status, 0 when there was no answer
   * @param retryAfter the provider's requested wait, when it sent one
   * @param detail a short reason, safe to log (never a URL or key)
   */
  record Result(Verdict verdict, int status, Duration retryAfter, String detail) {}

  /**
   * Settings every sink shares.
   *
   * @param name unique sink name: the type, or type/instance for a named one
   * @param route which triggers it gets
   * @param timeout bound of one call
   * @param headers extra headers
   * @param retry backoff settings
   * @param circuit circuit breaker settings
   * @param ratePerSecond calls per second (0 or less: unlimited)
   * @param burst calls allowed at once after a quiet time
   */
  record Settings(
      String name,
      SinkRoute route,
      Duration timeout,
      Map<String, String> headers,
      AlertConfig.Retry retry,
      AlertConfig.CircuitBreaker circuit,
      double ratePerSecond,
      int burst) {}

  private static final int DETAIL_MAX = 300;

  protected final Settings settings;
  protected final ObjectMapper json;

  HttpAlertSink(Settings settings, ObjectMapper json) {
    this.settings = settings;
    this.json = json;
  }

  String name() {
    return settings.name();
  }

  /** The sink type: pagerduty, alertmanager, slack, webhook. */
  abstract String type();

  /** The request for one notification, without timeout and configured headers. */
  abstract HttpRequest.Builder render(Notification n, Instant now) throws Exception;

  HttpRequest request(Notification n, Instant now) throws Exception {
    HttpRequest.Builder b = render(n, now).timeout(settings.timeout());
    settings.headers().forEach(b::setHeader);
    return b.build();
  }

  Result classify(HttpResponse<String> r) {
    int s = r.statusCode();
    if (s >= 200 && s < 300) {
      return new Result(Verdict.DELIVERED, s, null, "HTTP " + s);
    }
    String detail = "HTTP " + s + excerpt(r.body());
    if (s == 400 || s == 413 || s == 422) {
      return new Result(Verdict.REJECTED, s, null, detail);
    }
    return new Result(Verdict.RETRY, s, retryAfter(r).orElse(null), detail);
  }

  private static Optional<Duration> retryAfter(HttpResponse<?> r) {
    return r.headers()
        .firstValue("Retry-After")
        .flatMap(
            v -> {
              try {
                long seconds = Long.parseLong(v.trim());
                return seconds >= 0
                    ? Optional.of(Duration.ofSeconds(Math.min(seconds, 3600)))
                    : Optional.empty();
              } catch (NumberFormatException e) {
                return Optional.empty(); // an HTTP date: the backoff applies instead
              }
            });
  }

  private static String excerpt(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String b = body.strip().replaceAll("\\s+", " ");
    return ": " + (b.length() > DETAIL_MAX ? b.substring(0, DETAIL_MAX) + "..." : b);
  }

  /** Parses a configured URL, naming the setting (never the value, which may be a secret). */
  static URI uri(String value, String setting) {
    try {
      URI u = URI.create(value.trim());
      if (u.getScheme() == null
          || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
          || u.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(setting + " is not a valid http(s) URL", e);
    }
  }

  static String truncate(String s, int max) {
    if (s == null) {
      return null;
    }
    return s.length() <= max ? s : s.substring(0, Math.max(0, max - 3)) + "...";
  }

  static HttpRequest.BodyPublisher body(ObjectMapper json, Object value) throws Exception {
    return HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(value));
  }
}
