package dev.portcullis.enrich.route53;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.testing.Corpus;
import dev.portcullis.testing.Events;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The typed reading of ChangeResourceRecordSets requests and the Route53 name rules. */
class ChangeBatchTest {

  static JsonNode request(String json) {
    return Events.read(json);
  }

  @Test
  void namesCompareLowerCaseWithTheFinalDotAndEscapesDecoded() {
    assertThat(Route53Names.normalise("API.Example.com")).isEqualTo("api.example.com.");
    assertThat(Route53Names.normalise("api.example.com.")).isEqualTo("api.example.com.");
    assertThat(Route53Names.normalise("\\052.Example.com")).isEqualTo("*.example.com.");
    assertThat(Route53Names.normalise(" ")).isNull();
    assertThat(Route53Names.display("api.example.com.")).isEqualTo("api.example.com");
    assertThat(Route53Names.zoneId("/hostedzone/Z0813377EXAMPLEBAL"))
        .isEqualTo("Z0813377EXAMPLEBAL");
    assertThat(Route53Names.zoneId("Z0813377EXAMPLEBAL")).isEqualTo("Z0813377EXAMPLEBAL");
    assertThat(Route53Names.relative("api.blue.k8s.example.com.", "blue.k8s.example.com."))
        .isEqualTo("api");
    assertThat(Route53Names.relative("blue.k8s.example.com.", "blue.k8s.example.com."))
        .isEqualTo("@");
    assertThat(Route53Names.relative("api.notblue.k8s.example.com.", "blue.k8s.example.com."))
        .isNull();
    assertThat(Route53Names.under("api", "example.com.")).isEqualTo("api.example.com.");
    assertThat(Route53Names.under("@", "example.com.")).isEqualTo("example.com.");
  }

  @Test
  void readsEveryRoutingPolicyInCloudTrailsNames() {
    ChangeBatch b =
        ChangeBatch.of(
                request(
                    "{\"hostedZoneId\":\"/hostedzone/Z1\",\"changeBatch\":{\"changes\":["
                        + "{\"action\":\"upsert\",\"resourceRecordSet\":{\"name\":\"API.example.com\","
                        + "\"type\":\"a\",\"setIdentifier\":\"blue\",\"weight\":70,\"aliasTarget\":"
                        + "{\"hostedZoneId\":\"Z35SXDOTRQ7X7K\",\"dNSName\":\"blue-lb.elb.amazonaws.com\","
                        + "\"evaluateTargetHealth\":true}}},"
                        + "{\"action\":\"CREATE\",\"resourceRecordSet\":{\"name\":\"app.example.com.\","
                        + "\"type\":\"A\",\"setIdentifier\":\"primary\",\"failover\":\"PRIMARY\","
                        + "\"tTL\":60,\"resourceRecords\":[{\"value\":\"192.0.2.1\"}]}},"
                        + "{\"action\":\"CREATE\",\"resourceRecordSet\":{\"name\":\"edge.example.com\","
                        + "\"type\":\"A\",\"setIdentifier\":\"eu\",\"region\":\"eu-west-1\",\"tTL\":60,"
                        + "\"resourceRecords\":[{\"value\":\"192.0.2.2\"}]}},"
                        + "{\"action\":\"CREATE\",\"resourceRecordSet\":{\"name\":\"www.example.com\","
                        + "\"type\":\"CNAME\",\"setIdentifier\":\"eu\",\"geoLocation\":"
                        + "{\"continentCode\":\"EU\"},\"tTL\":300,\"resourceRecords\":[{\"value\":\"eu\"}]}},"
                        + "{\"action\":\"DELETE\",\"resourceRecordSet\":{\"name\":\"old.example.com\","
                        + "\"type\":\"TXT\",\"tTL\":300,\"resourceRecords\":[{\"value\":\"\\\"x\\\"\"}]}},"
                        + "{\"action\":\"CREATE\",\"resourceRecordSet\":{\"type\":\"A\"}}"
                        + "]}}"))
            .orElseThrow();

    assertThat(b.zoneId()).isEqualTo("Z1");
    assertThat(b.changes()).hasSize(5); // the last change names no record and is skipped
    RecordSet blue = b.changes().get(0).recordSet();
    assertThat(b.changes().get(0).action()).isEqualTo("UPSERT");
    assertThat(blue.name()).isEqualTo("api.example.com.");
    assertThat(blue.type()).isEqualTo("A");
    assertThat(blue.weight()).isEqualTo(70L);
    assertThat(blue.isWeighted()).isTrue();
    assertThat(blue.aliasTarget()).isEqualTo("blue-lb.elb.amazonaws.com.");
    assertThat(blue.ttl()).isNull();
    assertThat(b.changes())
        .extracting(c -> c.recordSet().routing())
        .containsExactly("weighted", "failover", "latency", "geolocation", "simple");
    assertThat(b.changes().get(1).recordSet().ttl()).isEqualTo(60L);
    assertThat(b.changes().get(1).recordSet().values()).containsExactly("192.0.2.1");
    assertThat(b.changes().get(4).isDelete()).isTrue();
    assertThat(b.changes().stream().filter(c -> c.recordSet().isWeighted())).hasSize(1);
  }

  @Test
  void aSingleChangeMayArriveAsAnObject() {
    ChangeBatch b =
        ChangeBatch.of(
                request(
                    "{\"hostedZoneId\":\"Z1\",\"changeBatch\":{\"changes\":"
                        + "{\"action\":\"DELETE\",\"resourceRecordSet\":{\"name\":\"a.example.com\","
                        + "\"type\":\"A\",\"setIdentifier\":\"x\",\"weight\":\"5\"}}}}"))
            .orElseThrow();
    assertThat(b.changes())
        .singleElement()
        .satisfies(c -> assertThat(c.recordSet().weight()).isEqualTo(5L));
  }

  @Test
  void otherEventsHaveNoBatch() {
    assertThat(ChangeBatch.of(Route53Events.getChange("2026-11-24T10:00:00Z"))).isEmpty();
    assertThat(ChangeBatch.of(Route53Events.kubernetes("2026-11-24T10:00:00.000000Z"))).isEmpty();
    assertThat(ChangeBatch.of(request("{\"changeBatch\":{\"changes\":[]}}"))).isEmpty();
  }

  @Test
  void theCorpusRecordsAreReadAsTwoSimpleCreates() {
    List<ChangeBatch> batches =
        Corpus.lines("cloudtrail").stream()
            .filter(l -> l.json().contains("\"ChangeResourceRecordSets\""))
            .map(l -> Route53Events.decode(Events.tree(l.json())))
            .map(ChangeBatch::of)
            .flatMap(Optional::stream)
            .toList();
    assertThat(batches).hasSize(2);
    for (ChangeBatch b : batches) {
      assertThat(b.zoneId()).isEqualTo("Z1PA6795UKMFR9");
      assertThat(b.changes())
          .extracting(c -> c.action() + " " + c.recordSet().name() + " " + c.recordSet().routing())
          .containsExactly("CREATE prod.example.com. simple", "CREATE test.example.com. simple");
    }
  }

  @Test
  void lookupKeysRoundTrip() {
    RecordSetKey k = new RecordSetKey("Z1", "api.example.com.", "A");
    assertThat(RecordSetKey.parse(k.lookupKey())).isEqualTo(k);
    assertThat(RecordSetKey.parse("Z1/API.example.com/a")).isEqualTo(k);
    assertThat(RecordSetKey.parse("Z1")).isNull();
    assertThat(RecordSetKey.parse("Z1/api.example.com./")).isNull();
  }
}
