package dev.portcullis.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {

  static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

  static ConsoleSessions at(String token, Instant now) {
    return new ConsoleSessions(token, Duration.ofHours(12), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void aSessionIsValidUntilItExpiresAndOnlyForTheTokenThatIssuedIt() {
    String cookie = at("t0ken", NOW).issue();
    assertThat(at("t0ken", NOW).valid(cookie)).isTrue();
    assertThat(at("t0ken", NOW.plus(Duration.ofHours(11))).valid(cookie)).isTrue();
    assertThat(at("t0ken", NOW.plus(Duration.ofHours(13))).valid(cookie)).isFalse();
    assertThat(at("another", NOW).valid(cookie)).isFalse();
    assertThat(at("", NOW).required()).isFalse();
    assertThat(at("", NOW).valid(cookie)).isFalse();
  }

  @Test
  void aCookieWithAMovedExpiryOrAnotherMacIsRefused() {
    String cookie = at("t0ken", NOW).issue();
    String[] parts = cookie.split("\\.");
    long later = Long.parseLong(parts[1]) + 86_400;
    ConsoleSessions s = at("t0ken", NOW);
    assertThat(s.valid(parts[0] + "." + later + "." + parts[2])).isFalse();
    assertThat(s.valid(parts[0] + "." + parts[1] + "." + parts[2].substring(1) + "A")).isFalse();
    assertThat(s.valid("v2." + parts[1] + "." + parts[2])).isFalse();
    assertThat(s.valid("garbage")).isFalse();
    assertThat(s.valid(null)).isFalse();
  }

  @Test
  void theCsrfTokenBelongsToItsSession() {
    ConsoleSessions s = at("t0ken", NOW);
    String a = s.issue();
    String b = at("t0ken", NOW.plusSeconds(5)).issue();
    assertThat(s.csrfMatches(a, s.csrf(a))).isTrue();
    assertThat(s.csrfMatches(a, " " + s.csrf(a) + " ")).isTrue();
    assertThat(s.csrfMatches(a, s.csrf(b))).isFalse();
    assertThat(s.csrfMatches(a, null)).isFalse();
    assertThat(s.csrf(a)).isNotEqualTo(a);
  }
}
