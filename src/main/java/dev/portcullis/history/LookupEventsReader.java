package dev.portcullis.history;

import dev.portcullis.enrich.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttribute;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsRequest;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;

/**
 * Reads management events from CloudTrail's LookupEvents within its limits: one lookup attribute
 * per call (an event name here, so only what the policies judge is read), 50 events a page,
 * following {@code NextToken}, and a shared rate limit below the API's two calls a second (the SDK
 * retries a {@code ThrottlingException} with backoff on top).
 */
public final class LookupEventsReader {

  /** Most events LookupEvents returns in one page. */
  static final int PAGE = 50;

  private final CloudTrailClient client;
  private final RateLimiter limiter;
  private final Duration maxWait;
  private long calls;

  public LookupEventsReader(CloudTrailClient client, RateLimiter limiter, Duration maxWait) {
    this.client = client;
    this.limiter = limiter;
    this.maxWait = maxWait;
  }

  /**
   * Calls {@code each} with the CloudTrail record (the {@code CloudTrailEvent} JSON) of every event
   * named {@code eventName} between {@code from} and {@code to}, newest first, at most {@code max}.
   *
   * @return how many were passed on
   * @throws IllegalStateException when no call permit came within the wait
   */
  public int read(String eventName, Instant from, Instant to, int max, Consumer<String> each) {
    int seen = 0;
    String token = null;
    do {
      if (!limiter.acquire(maxWait)) {
        throw new IllegalStateException("no LookupEvents call permit within " + maxWait);
      }
      LookupEventsRequest.Builder req =
          LookupEventsRequest.builder()
              .startTime(from)
              .endTime(to)
              .maxResults(PAGE)
              .lookupAttributes(
                  LookupAttribute.builder()
                      .attributeKey(LookupAttributeKey.EVENT_NAME)
                      .attributeValue(eventName)
                      .build());
      if (token != null) {
        req.nextToken(token);
      }
      LookupEventsResponse page = client.lookupEvents(req.build());
      synchronized (this) {
        calls++;
      }
      for (Event e : page.events()) {
        if (seen >= max) {
          return seen;
        }
        if (e.cloudTrailEvent() != null) {
          each.accept(e.cloudTrailEvent());
          seen++;
        }
      }
      token = page.nextToken();
    } while (token != null && !token.isEmpty() && seen < max);
    return seen;
  }

  /** Calls made so far. */
  public synchronized long calls() {
    return calls;
  }
}
