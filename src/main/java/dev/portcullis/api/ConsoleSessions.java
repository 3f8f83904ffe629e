package dev.portcullis.api;

import dev.portcullis.console.ConsoleConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Console logins when {@code portcullis.api.token} is set. The login page trades the token for a
 * session cookie ({@value #COOKIE}: HttpOnly, SameSite=Strict, Secure over HTTPS) so the token is
 * typed once and never kept by the page's script.
 *
 * <p>The cookie is {@code v1.<expiry>.<mac>}, the MAC an HMAC-SHA256 of the expiry under a key
 * derived from the token: every instance with the same token accepts it (no session store, so N
 * instances behind one Service are one console), it expires on its own, and changing the token ends
 * every session. A request that changes something with the cookie must also send {@value
 * #CSRF_HEADER} with the session's CSRF token (another HMAC of the cookie), which the console's
 * script reads from {@code GET /v1/console/session}: a page of another site can make the browser
 * send the cookie (SameSite aside) but cannot read that token.
 */
@ApplicationScoped
public class ConsoleSessions {

  /** The session cookie's name. */
  public static final String COOKIE = "portcullis_session";

  /** The header that carries the CSRF token on state-changing requests made with the cookie. */
  public static final String CSRF_HEADER = "X-Portcullis-CSRF";

  private final byte[] key;
  private final Duration ttl;
  private final Clock clock;

  @Inject
  public ConsoleSessions(ApiToken.Config api, ConsoleConfig console) {
    this(api.token().map(String::strip).orElse(""), console.session(), Clock.systemUTC());
  }

  ConsoleSessions(String token, Duration ttl, Clock clock) {
    this.key = token.isEmpty() ? null : sha256("portcullis-console-session\n" + token);
    this.ttl = ttl;
    this.clock = clock;
  }

  /** True when a token is configured, so the console needs a login. */
  public boolean required() {
    return key != null;
  }

  /** How long a session lasts. */
  public Duration ttl() {
    return ttl;
  }

  /** A new session's cookie value. */
  public String issue() {
    long expiry = clock.instant().plus(ttl).getEpochSecond();
    return "v1." + expiry + "." + mac("session\n" + expiry);
  }

  /** True when the cookie value is a session this token issued and it has not expired. */
  public boolean valid(String cookie) {
    if (key == null || cookie == null) {
      return false;
    }
    String[] parts = cookie.split("\\.", -1);
    if (parts.length != 3 || !parts[0].equals("v1")) {
      return false;
    }
    long expiry;
    try {
      expiry = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      return false;
    }
    if (Instant.ofEpochSecond(expiry).isBefore(clock.instant())) {
      return false;
    }
    return MessageDigest.isEqual(
        mac("session\n" + expiry).getBytes(StandardCharsets.US_ASCII),
        parts[2].getBytes(StandardCharsets.US_ASCII));
  }

  /** The CSRF token of a valid session cookie. */
  public String csrf(String cookie) {
    return mac("csrf\n" + cookie);
  }

  /** True when the header carries the session's CSRF token. */
  public boolean csrfMatches(String cookie, String header) {
    return header != null
        && MessageDigest.isEqual(
            csrf(cookie).getBytes(StandardCharsets.US_ASCII),
            header.strip().getBytes(StandardCharsets.US_ASCII));
  }

  private String mac(String text) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(m.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
