package dev.portcullis.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.enrich.RateLimiter;
import dev.portcullis.testing.FakeRoute53;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

/** {@link Route53Inventory} against {@link FakeRoute53}, through the AWS SDK v2 client. */
class Route53InventoryTest {

  static FakeRoute53 fake;
  static Route53Client client;

  @BeforeAll
  static void start() {
    fake = FakeRoute53.start();
    client =
        Route53Client.builder()
            .region(Region.AWS_GLOBAL)
            .endpointOverride(fake.endpoint())
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    // 120 zones: two pages of ListHostedZones.
    for (int i = 0; i < 120; i++) {
      fake.createZone(String.format("ZINV%04d", i), "z" + i + ".example.com");
    }
    fake.seed(
        "ZINV0000",
        FakeRoute53.RecordSet.weightedAlias("api.z0.example.com", "A", "blue", 70),
        FakeRoute53.RecordSet.weightedAlias("api.z0.example.com", "A", "green", 30),
        FakeRoute53.RecordSet.weightedAlias("api.z0.example.com", "AAAA", "blue", 1),
        FakeRoute53.RecordSet.simple("www.z0.example.com", "CNAME", 300, "api.z0.example.com"));
    // Enough weighted records in one zone to take three pages of 300.
    for (int i = 0; i < 350; i++) {
      fake.seed(
          "ZINV0001",
          FakeRoute53.RecordSet.weightedAlias("r" + i + ".z1.example.com", "A", "a", 1),
          FakeRoute53.RecordSet.weightedAlias("r" + i + ".z1.example.com", "A", "b", 2));
    }
  }

  @AfterAll
  static void stop() {
    client.close();
    fake.close();
  }

  static Route53Inventory inventory(int maxZones, int maxRecordSets) {
    return new Route53Inventory(
        client,
        new RateLimiter(1000, 10, RateLimiter.Ticker.SYSTEM),
        Duration.ofSeconds(5),
        maxZones,
        maxRecordSets);
  }

  @Test
  void everyZoneIsFoundPageByPageWithinTheBound() {
    int before = fake.calls("ListHostedZones");
    assertThat(inventory(1000, 10_000).zones(List.of())).hasSize(120).contains("ZINV0119");
    assertThat(fake.calls("ListHostedZones") - before).isEqualTo(2);
    assertThat(inventory(50, 10_000).zones(List.of())).hasSize(50);
    // Configured zones are taken as given (bare ids), without asking Route53.
    before = fake.calls("ListHostedZones");
    assertThat(inventory(1000, 10_000).zones(List.of("/hostedzone/ZINV0003")))
        .containsExactly("ZINV0003");
    assertThat(fake.calls("ListHostedZones")).isEqualTo(before);
  }

  @Test
  void weightedGroupsAreReadWithTheirMembers() {
    Route53Inventory.ZoneReading z = inventory(1000, 10_000).zone("ZINV0000");
    assertThat(z.complete()).isTrue();
    assertThat(z.groups())
        .extracting(g -> g.name() + " " + g.type() + " " + g.recordSets().size())
        .containsExactlyInAnyOrder("api.z0.example.com. A 2", "api.z0.example.com. AAAA 1");
  }

  @Test
  void aLargeZoneIsPagedAndABoundLeavesNoHalfGroup() {
    Route53Inventory inv = inventory(1000, 100_000);
    Route53Inventory.ZoneReading all = inv.zone("ZINV0001");
    assertThat(all.complete()).isTrue();
    assertThat(all.groups()).hasSize(350).allMatch(g -> g.recordSets().size() == 2);
    assertThat(inv.calls()).isEqualTo(3); // 702 record sets (with SOA and NS) in pages of 300

    Route53Inventory.ZoneReading part = inventory(1000, 301).zone("ZINV0001");
    assertThat(part.complete()).isFalse();
    assertThat(part.problem()).contains("read in part");
    assertThat(part.groups()).allMatch(g -> g.recordSets().size() == 2);
  }

  @Test
  void aMissingZoneIsReportedNotThrown() {
    Route53Inventory.ZoneReading z = inventory(1000, 10_000).zone("ZNOSUCHZONE");
    assertThat(z.complete()).isFalse();
    assertThat(z.problem()).startsWith("ListResourceRecordSets");
    assertThat(z.groups()).isEmpty();
  }
}
