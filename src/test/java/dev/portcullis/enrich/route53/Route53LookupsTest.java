package dev.portcullis.enrich.route53;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.RateLimiter;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.testing.FakeRoute53;
import dev.portcullis.testing.FakeRoute53.RecordSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * The {@code route53.*} lookups through the real AWS SDK v2 client against {@link FakeRoute53}:
 * answers in CloudTrail's shape, groups that span pages, and every bound (cache, rate limit,
 * timeout) and failure (throttling, unknown zone) counted and answered as a failure the policy can
 * name.
 */
class Route53LookupsTest {

  static final String ZONE = "Z0813377EXAMPLEBAL";
  static final String KEY = ZONE + "/api.example.com./A";

  FakeRoute53 fake;
  Route53Client client;
  SimpleMeterRegistry registry = new SimpleMeterRegistry();
  MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @BeforeEach
  void start() {
    fake = FakeRoute53.start();
    fake.createZone(ZONE, "example.com");
    fake.seed(
        ZONE,
        RecordSet.weightedAlias("api.example.com", "A", "blue", 70),
        RecordSet.weightedAlias("api.example.com", "A", "green", 30),
        RecordSet.weightedAlias("api.example.com", "AAAA", "blue", 100),
        RecordSet.simple("www.example.com", "CNAME", 300, "api.example.com"),
        RecordSet.simple("zzz.example.com", "TXT", 300, "\"v=spf1 -all\""));
    client = FakeRoute53Test.client(fake);
  }

  @AfterEach
  void stop() {
    client.close();
    fake.close();
  }

  Route53Lookups lookups(Route53Client c, RateLimiter limiter) {
    return new Route53Lookups(
        c, false, Duration.ofSeconds(30), 100, 5, limiter, Duration.ZERO, clock, registry);
  }

  Route53Lookups lookups() {
    return lookups(client, new RateLimiter(100, 100, RateLimiter.Ticker.SYSTEM));
  }

  double count(String name, String tag, String value) {
    var c = registry.find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void answersTheGroupInCloudTrailsShape() {
    JsonNode answer = lookups().find(Route53Lookups.RECORD_SETS, KEY).orElseThrow();

    assertThat(answer.isArray()).isTrue();
    assertThat(answer).hasSize(2);
    JsonNode blue = answer.get(0);
    assertThat(blue.path("name").asText()).isEqualTo("api.example.com.");
    assertThat(blue.path("type").asText()).isEqualTo("A");
    assertThat(blue.path("setIdentifier").asText()).isEqualTo("blue");
    assertThat(blue.path("weight").asLong()).isEqualTo(70);
    assertThat(blue.path("aliasTarget").path("dNSName").asText())
        .isEqualTo("blue-lb-1234567890.us-east-1.elb.amazonaws.com.");
    assertThat(blue.path("aliasTarget").path("evaluateTargetHealth").asBoolean()).isTrue();
    assertThat(WeightShiftFacts.listed(answer, RecordSetKey.parse(KEY)))
        .isEqualTo(Map.of("blue", 70L, "green", 30L));

    JsonNode www =
        lookups().find(Route53Lookups.RECORD_SETS, ZONE + "/WWW.example.com/cname").orElseThrow();
    assertThat(www).hasSize(1);
    assertThat(www.get(0).path("tTL").asLong()).isEqualTo(300);
    assertThat(www.get(0).path("resourceRecords").get(0).path("value").asText())
        .isEqualTo("api.example.com");
    assertThat(www.get(0).has("setIdentifier")).isFalse();
  }

  @Test
  void aGroupThatDoesNotExistIsAnEmptyList() {
    JsonNode answer =
        lookups().find(Route53Lookups.RECORD_SETS, ZONE + "/nothing.example.com./A").orElseThrow();
    assertThat(answer.isArray()).isTrue();
    assertThat(answer).isEmpty();
  }

  @Test
  void aGroupSpanningPagesIsReadWhole() {
    List<RecordSet> many = new ArrayList<>();
    for (int i = 0; i < 230; i++) {
      many.add(RecordSet.weightedAlias("big.example.com", "A", String.format("m%03d", i), i % 256));
    }
    fake.seed(ZONE, many.toArray(RecordSet[]::new));
    int before = fake.calls("ListResourceRecordSets");

    JsonNode answer =
        lookups().find(Route53Lookups.RECORD_SETS, ZONE + "/big.example.com./A").orElseThrow();

    assertThat(answer).hasSize(230);
    assertThat(answer.get(229).path("setIdentifier").asText()).isEqualTo("m229");
    assertThat(fake.calls("ListResourceRecordSets") - before).isEqualTo(3);
  }

  @Test
  void answersAreCachedForTheirTimeToLive() {
    Route53Lookups l = lookups();
    l.find(Route53Lookups.RECORD_SETS, KEY);
    l.find(Route53Lookups.RECORD_SETS, KEY);
    assertThat(fake.calls("ListResourceRecordSets")).isEqualTo(1);
    assertThat(count("portcullis.lookups", "result", "cached")).isEqualTo(1);

    clock.now = clock.now.plusSeconds(31);
    l.find(Route53Lookups.RECORD_SETS, KEY);
    assertThat(fake.calls("ListResourceRecordSets")).isEqualTo(2);
    assertThat(count("portcullis.lookups", "result", "answered")).isEqualTo(2);
  }

  @Test
  void lookupsBeyondTheRateFailWithoutCallingRoute53() {
    long[] nanos = {0};
    Route53Lookups l = lookups(client, new RateLimiter(1, 1, () -> nanos[0]));

    assertThat(l.find(Route53Lookups.RECORD_SETS, KEY).orElseThrow().isArray()).isTrue();
    JsonNode refused =
        l.find(Route53Lookups.RECORD_SETS, ZONE + "/www.example.com./CNAME").orElseThrow();

    assertThat(refused.path("lookupFailed").asText()).contains("rate limited");
    assertThat(fake.calls("ListResourceRecordSets")).isEqualTo(1);
    assertThat(count("portcullis.lookups.failures", "reason", "rate-limited")).isEqualTo(1);
    nanos[0] += 1_000_000_000L; // a second later there is a permit again
    assertThat(
            l.find(Route53Lookups.RECORD_SETS, ZONE + "/www.example.com./CNAME")
                .orElseThrow()
                .isArray())
        .isTrue();
  }

  @Test
  void aSlowAnswerIsATimeout() {
    fake.delay(Duration.ofMillis(1500));
    try (Route53Client slow =
        FakeRoute53Test.builder(fake)
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .apiCallTimeout(Duration.ofMillis(300))
                    .build())
            .build()) {
      JsonNode answer =
          lookups(slow, new RateLimiter(100, 100, RateLimiter.Ticker.SYSTEM))
              .find(Route53Lookups.RECORD_SETS, KEY)
              .orElseThrow();
      assertThat(answer.path("lookupFailed").asText()).isEqualTo("timeout");
      assertThat(count("portcullis.lookups.failures", "reason", "timeout")).isEqualTo(1);
    }
  }

  @Test
  void throttlingAndUnknownZonesAreNamedFailures() {
    try (Route53Client once =
        FakeRoute53Test.builder(fake)
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      fake.failNext(400, "Throttling", "Rate exceeded");
      Route53Lookups l = lookups(once, new RateLimiter(100, 100, RateLimiter.Ticker.SYSTEM));
      assertThat(
              l.find(Route53Lookups.RECORD_SETS, KEY).orElseThrow().path("lookupFailed").asText())
          .isEqualTo("throttled by Route53");
      assertThat(
              l.find(Route53Lookups.RECORD_SETS, "Z0NOSUCHZONE000/api.example.com./A")
                  .orElseThrow()
                  .path("lookupFailed")
                  .asText())
          .isEqualTo("hosted zone Z0NOSUCHZONE000 not found");
      assertThat(l.find(Route53Lookups.RECORD_SETS, "not a key").orElseThrow().has("lookupFailed"))
          .isTrue();
      assertThat(l.failures()).isEqualTo(3);
      assertThat(count("portcullis.lookups.failures", "reason", "throttled")).isEqualTo(1);
      assertThat(count("portcullis.lookups.failures", "reason", "no-such-zone")).isEqualTo(1);
    }
  }

  @Test
  void otherNamesAreNotThisFamilys() {
    assertThat(lookups().find("route53.hostedZones", ZONE)).isEmpty();
    assertThat(fake.calls("ListResourceRecordSets")).isZero();
  }

  @Test
  void theWeightShiftOfAnUnseenRecordComesFromTheLookup() {
    // The batch adds canary (CREATE); the lookup, made after it, lists blue 70, green 30, canary
    // 100.
    fake.seed(ZONE, RecordSet.weightedAlias("api.example.com", "A", "canary", 100));
    ChangeEvent e =
        Route53Events.crrs(
            "2026-11-24T10:15:00Z",
            ZONE,
            Route53Events.weighted("CREATE", "api.example.com", "canary", 100));
    FactContext ctx = new FactContext(lookups(), Map.of(), new StateStore(), true);

    WeightShift s = (WeightShift) new WeightShiftFacts().facts(e, ctx).get(0);

    assertThat(s.basis()).isEqualTo("lookup");
    assertThat(s.groupKnown()).isTrue();
    assertThat(s.beforeShares()).isEqualTo(Map.of("blue", 70.0, "green", 30.0));
    assertThat(s.afterShares()).isEqualTo(Map.of("blue", 35.0, "canary", 50.0, "green", 15.0));
    assertThat(s.points()).isEqualTo(50.0);
    assertThat(s.toMember()).isEqualTo("canary");
    assertThat(s.fromMember()).isEqualTo("blue");
  }
}
