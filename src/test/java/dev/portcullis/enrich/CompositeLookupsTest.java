package dev.portcullis.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lookup families combined by name: each name goes to its family, unknown names to none. */
class CompositeLookupsTest {

  /** A family that answers "<family>:<name>:<key>" and remembers what it was asked. */
  static class Echo implements LookupFamily {
    final String name;
    final List<String> asked = new ArrayList<>();

    Echo(String name) {
      this.name = name;
    }

    @Override
    public String family() {
      return name;
    }

    @Override
    public boolean active() {
      return true;
    }

    @Override
    public Optional<JsonNode> find(String lookup, String key) {
      asked.add(lookup + " " + key);
      return Optional.of(TextNode.valueOf(name + ":" + lookup + ":" + key));
    }
  }

  @Test
  void routesEachLookupToTheFamilyNamedBeforeTheFirstDot() {
    Echo s3 = new Echo("s3");
    Echo route53 = new Echo("route53");
    CompositeLookups lookups = new CompositeLookups(List.of(s3, route53));
    assertThat(lookups.families()).containsExactly("s3", "route53");
    assertThat(lookups.find("s3.objects", "b/p").orElseThrow().asText())
        .isEqualTo("s3:s3.objects:b/p");
    assertThat(lookups.find("route53.recordSets", "Z1").orElseThrow().asText())
        .isEqualTo("route53:route53.recordSets:Z1");
    assertThat(s3.asked).containsExactly("s3.objects b/p");
    assertThat(route53.asked).containsExactly("route53.recordSets Z1");
    // Names of no configured family, or without a family part, have no answer.
    assertThat(lookups.find("iam.roles", "x")).isEmpty();
    assertThat(lookups.find("objects", "x")).isEmpty();
    assertThat(lookups.serves("s3.objectTags")).isTrue();
    assertThat(lookups.serves("iam.roles")).isFalse();
    assertThat(Lookups.NONE.serves("s3.objects")).isFalse();
  }

  @Test
  void aFamilyThatThrowsIsAFailedLookupAndTwoFamiliesCannotShareAName() {
    LookupFamily broken =
        new Echo("s3") {
          @Override
          public Optional<JsonNode> find(String lookup, String key) {
            throw new IllegalStateException("boom");
          }
        };
    CompositeLookups lookups = new CompositeLookups(List.of(broken));
    assertThat(lookups.find("s3.objects", "b/")).isEmpty();
    assertThat(lookups.serves("s3.objects")).isTrue();
    assertThatThrownBy(() -> new CompositeLookups(List.of(new Echo("s3"), new Echo("s3"))))
        .hasMessageContaining("'s3'");
  }

  @Test
  void aNullMockIsAConfiguredLookupThatFailed() {
    MockLookups mocks =
        new MockLookups(
            java.util.Map.of(
                "s3.objects", com.fasterxml.jackson.databind.node.NullNode.getInstance()));
    assertThat(mocks.find("s3.objects", "b/")).isEmpty();
    assertThat(mocks.serves("s3.objects")).isTrue();
    assertThat(mocks.serves("s3.objectTags")).isFalse();
    assertThat(mocks.unused()).isEmpty();
  }
}
