package dev.portcullis.enrich.route53;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.testing.FakeRoute53;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.Route53ClientBuilder;
import software.amazon.awssdk.services.route53.model.AliasTarget;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.InvalidChangeBatchException;
import software.amazon.awssdk.services.route53.model.InvalidInputException;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * The Route53 fake through the real AWS SDK v2 client: what the API reference says Route53 does
 * with change batches and listings, so the lookups are tested against a faithful stand-in.
 */
class FakeRoute53Test {

  static final String ZONE = "Z0813377EXAMPLEBAL";

  FakeRoute53 fake;
  Route53Client client;

  @BeforeEach
  void start() {
    fake = FakeRoute53.start();
    fake.createZone(ZONE, "example.com");
    client = client(fake);
  }

  @AfterEach
  void stop() {
    client.close();
    fake.close();
  }

  static Route53Client client(FakeRoute53 fake) {
    return builder(fake).build();
  }

  /** A client of the fake: the real SDK, signing with test credentials. */
  static Route53ClientBuilder builder(FakeRoute53 fake) {
    return Route53Client.builder()
        .endpointOverride(fake.endpoint())
        .region(Region.AWS_GLOBAL)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create("AKIAFAKEROUTE53TESTS", "fake-secret-for-signing")))
        .httpClientBuilder(UrlConnectionHttpClient.builder());
  }

  static ResourceRecordSet weighted(String member, long weight) {
    return ResourceRecordSet.builder()
        .name("api.example.com")
        .type(RRType.A)
        .setIdentifier(member)
        .weight(weight)
        .aliasTarget(
            AliasTarget.builder()
                .hostedZoneId("Z35SXDOTRQ7X7K")
                .dnsName(member + "-lb.us-east-1.elb.amazonaws.com")
                .evaluateTargetHealth(true)
                .build())
        .build();
  }

  static Change change(ChangeAction action, ResourceRecordSet set) {
    return Change.builder().action(action).resourceRecordSet(set).build();
  }

  ChangeResourceRecordSetsResponse submit(Change... changes) {
    return client.changeResourceRecordSets(
        r -> r.hostedZoneId(ZONE).changeBatch(b -> b.comment("test").changes(changes)));
  }

  List<String> members() {
    List<String> out = new ArrayList<>();
    for (ResourceRecordSet s :
        client.listResourceRecordSets(r -> r.hostedZoneId(ZONE)).resourceRecordSets()) {
      if (s.setIdentifier() != null) {
        out.add(s.setIdentifier() + "=" + s.weight());
      }
    }
    return out;
  }

  @Test
  void aChangeBatchIsPendingAndTheListingShowsItAfterTheZonesOwnRecords() {
    ChangeResourceRecordSetsResponse res =
        submit(
            change(ChangeAction.CREATE, weighted("blue", 100)),
            change(ChangeAction.CREATE, weighted("green", 0)));

    assertThat(res.changeInfo().status()).isEqualTo(ChangeStatus.PENDING);
    // The SDK trims the "/change/" prefix Route53 sends.
    assertThat(res.changeInfo().id()).matches("C[0-9A-Z]+");
    assertThat(res.changeInfo().comment()).isEqualTo("test");
    ListResourceRecordSetsResponse list = client.listResourceRecordSets(r -> r.hostedZoneId(ZONE));
    // Sorted by name with labels reversed: example.com. (NS, SOA) before api.example.com.
    assertThat(list.resourceRecordSets())
        .extracting(s -> s.name() + " " + s.typeAsString() + " " + s.setIdentifier())
        .containsExactly(
            "example.com. NS null",
            "example.com. SOA null",
            "api.example.com. A blue",
            "api.example.com. A green");
    ResourceRecordSet blue = list.resourceRecordSets().get(2);
    assertThat(blue.weight()).isEqualTo(100L);
    assertThat(blue.aliasTarget().dnsName()).isEqualTo("blue-lb.us-east-1.elb.amazonaws.com.");
    assertThat(list.isTruncated()).isFalse();
  }

  @Test
  void aBatchIsAllOrNothing() {
    submit(change(ChangeAction.CREATE, weighted("blue", 100)));

    assertThatThrownBy(
            () ->
                submit(
                    change(ChangeAction.UPSERT, weighted("green", 50)),
                    change(ChangeAction.CREATE, weighted("blue", 10))))
        .isInstanceOf(InvalidChangeBatchException.class)
        .hasMessageContaining(
            "Tried to create resource record set [name='api.example.com.', type='A',"
                + " set-identifier='blue'] but it already exists");
    assertThat(members()).containsExactly("blue=100");
  }

  @Test
  void aDeleteMustNameTheSetExactly() {
    submit(change(ChangeAction.CREATE, weighted("blue", 100)));

    assertThatThrownBy(() -> submit(change(ChangeAction.DELETE, weighted("blue", 90))))
        .isInstanceOf(InvalidChangeBatchException.class)
        .hasMessageContaining("but the values provided do not match the current values");
    assertThatThrownBy(() -> submit(change(ChangeAction.DELETE, weighted("green", 0))))
        .isInstanceOf(InvalidChangeBatchException.class)
        .hasMessageContaining("set-identifier='green'] but it was not found");
    submit(change(ChangeAction.DELETE, weighted("blue", 100)));
    assertThat(members()).isEmpty();
  }

  @Test
  void weightedAndSimpleSetsOfOneNameDoNotMixAndWeightsStayInRange() {
    submit(change(ChangeAction.CREATE, weighted("blue", 100)));
    ResourceRecordSet simple =
        ResourceRecordSet.builder()
            .name("api.example.com.")
            .type(RRType.A)
            .ttl(60L)
            .resourceRecords(ResourceRecord.builder().value("192.0.2.1").build())
            .build();

    assertThatThrownBy(() -> submit(change(ChangeAction.CREATE, simple)))
        .isInstanceOf(InvalidChangeBatchException.class);
    assertThatThrownBy(() -> submit(change(ChangeAction.UPSERT, weighted("green", 256))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("less than or equal to 255");
    assertThatThrownBy(
            () ->
                submit(
                    change(ChangeAction.CREATE, simple.toBuilder().name("api.other.org").build())))
        .isInstanceOf(InvalidChangeBatchException.class)
        .hasMessageContaining("is not permitted in zone example.com.");
  }

  @Test
  void listingPagesThroughTheMembersOfOneNameAndType() {
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      changes.add(change(ChangeAction.CREATE, weighted("m" + i, i)));
    }
    submit(changes.toArray(Change[]::new));

    ListResourceRecordSetsResponse first =
        client.listResourceRecordSets(
            r ->
                r.hostedZoneId(ZONE)
                    .startRecordName("api.example.com")
                    .startRecordType(RRType.A)
                    .maxItems("3"));
    assertThat(first.resourceRecordSets())
        .extracting(ResourceRecordSet::setIdentifier)
        .containsExactly("m0", "m1", "m2");
    assertThat(first.isTruncated()).isTrue();
    assertThat(first.nextRecordName()).isEqualTo("api.example.com.");
    assertThat(first.nextRecordTypeAsString()).isEqualTo("A");
    assertThat(first.nextRecordIdentifier()).isEqualTo("m3");

    List<String> all = new ArrayList<>();
    client
        .listResourceRecordSetsPaginator(r -> r.hostedZoneId(ZONE).maxItems("3"))
        .resourceRecordSets()
        .forEach(s -> all.add(s.typeAsString() + ":" + s.setIdentifier()));
    assertThat(all)
        .containsExactly(
            "NS:null", "SOA:null", "A:m0", "A:m1", "A:m2", "A:m3", "A:m4", "A:m5", "A:m6");
  }

  @Test
  void errorsAreRoute53s() {
    assertThatThrownBy(() -> client.listResourceRecordSets(r -> r.hostedZoneId("Z0NOSUCHZONE000")))
        .isInstanceOf(NoSuchHostedZoneException.class)
        .hasMessageContaining("No hosted zone found with ID: Z0NOSUCHZONE000");
    assertThatThrownBy(
            () ->
                client.listResourceRecordSets(r -> r.hostedZoneId(ZONE).startRecordType(RRType.A)))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void anUnsignedRequestIsRefused() throws Exception {
    HttpResponse<String> res =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(fake.endpoint() + "/2013-04-01/hostedzone/" + ZONE + "/rrset"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(403);
    assertThat(res.body()).contains("<Code>MissingAuthenticationToken</Code>");
  }
}
