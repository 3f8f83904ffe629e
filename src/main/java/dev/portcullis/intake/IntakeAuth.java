package dev.portcullis.intake;

import dev.portcullis.api.ApiError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/** The gate in front of an HTTP intake: HTTPS when it is on, and the shared secret when set. */
final class IntakeAuth {

  private IntakeAuth() {}

  /**
   * Null when the request may pass, else the answer: 403 on plain HTTP while HTTPS is on, 401
   * without the right secret. Secrets are compared in constant time.
   *
   * @param plainHttpRefused true when the request came over plain HTTP and HTTPS is on
   * @param expected the configured secret, or null when none is asked for
   * @param presented what the request carried, or null
   */
  static Response check(
      boolean plainHttpRefused, String expected, String presented, String configKey, String how) {
    if (plainHttpRefused) {
      return error(
          403,
          "https-required",
          "this intake answers over HTTPS only (quarkus.http.ssl-port); plain HTTP stays open for"
              + " health, metrics and the /v1 API");
    }
    if (expected != null && !expected.isEmpty()) {
      boolean ok =
          presented != null
              && MessageDigest.isEqual(
                  expected.getBytes(StandardCharsets.UTF_8),
                  presented.getBytes(StandardCharsets.UTF_8));
      if (!ok) {
        return error(
            401,
            "unauthorized",
            (presented == null ? "no credential" : "a wrong credential")
                + " ("
                + how
                + ", set by "
                + configKey
                + ")");
      }
    }
    return null;
  }

  /** The token of an {@code Authorization: Bearer} header, or null. */
  static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String a = authorization.trim();
    return a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).trim() : null;
  }

  static Response error(int status, String code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(new ApiError(status, code, message, Map.of()))
        .build();
  }
}
