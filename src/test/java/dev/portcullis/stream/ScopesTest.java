package dev.portcullis.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.Target;
import dev.portcullis.testing.Events;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which scope, and so which partition and state, each kind of event belongs to. */
class ScopesTest {

  static ChangeEvent event(String source, String id, Target target) {
    return ChangeEvent.builder()
        .id(id, false)
        .source(source)
        .eventTime(Instant.parse("2026-11-24T10:00:00Z"), false)
        .target(target)
        .build();
  }

  static ChangeEvent zone(String zone) {
    return event(
        ChangeEvent.CLOUDTRAIL, Events.newId(), Target.builder().hostedZoneId(zone).build());
  }

  /** Pairs A-B and B-C (one group), D-E (another). */
  static final Map<String, JsonNode> PAIRS =
      Map.of(
          "dns-zone-split-brain",
          Events.read(
              "{\"pairs\":["
                  + "{\"a\":{\"zoneId\":\"ZB\",\"apex\":\"b.example.com\"},"
                  + "\"b\":{\"zoneId\":\"ZA\",\"apex\":\"example.com\"}},"
                  + "{\"a\":{\"zoneId\":\"ZB\",\"apex\":\"b.example.com\"},"
                  + "\"b\":{\"zoneId\":\"ZC\",\"apex\":\"c.example.com\"}},"
                  + "{\"a\":{\"zoneId\":\"ZE\",\"apex\":\"e.example.com\"},"
                  + "\"b\":{\"zoneId\":\"ZD\",\"apex\":\"d.example.com\"}}]}"));

  @Test
  void zonesJoinedByPairsShareOneScopeNamedByTheirSmallestId() {
    Scopes scopes = Scopes.of(PAIRS);
    assertThat(scopes.of(zone("ZA"))).isEqualTo("route53-pairs:ZA");
    assertThat(scopes.of(zone("ZB"))).isEqualTo("route53-pairs:ZA");
    assertThat(scopes.of(zone("/hostedzone/ZC"))).isEqualTo("route53-pairs:ZA");
    assertThat(scopes.of(zone("ZD"))).isEqualTo("route53-pairs:ZD");
    assertThat(scopes.of(zone("ZE"))).isEqualTo("route53-pairs:ZD");
    assertThat(scopes.of(zone("ZX"))).isEqualTo("route53:ZX");
    // Without pairs every zone is a scope of its own.
    assertThat(Scopes.of(Map.of()).of(zone("ZB"))).isEqualTo("route53:ZB");
  }

  @Test
  void bucketsRequestsAndEverythingElse() {
    Scopes scopes = Scopes.of(Map.of());
    assertThat(
            scopes.of(
                event(
                    ChangeEvent.CLOUDTRAIL,
                    "e1",
                    Target.builder().bucket("etcd-backups").key("backups/x").build())))
        .isEqualTo("s3:etcd-backups");
    // An audit event is its request, whatever object it names: both stages meet there.
    assertThat(
            scopes.of(
                event(
                    ChangeEvent.K8S_AUDIT, "audit-1", Target.builder().bucket("ignored").build())))
        .isEqualTo("k8s:audit-1");
    assertThat(scopes.of(event(ChangeEvent.CLOUDTRAIL, "e2", Target.builder().build())))
        .isEqualTo("event:e2");
  }
}
