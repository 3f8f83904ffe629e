package dev.portcullis.api;

import io.smallrye.config.ConfigMapping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * An optional bearer token for the {@code /v1} API. Without {@code portcullis.api.token} the API is
 * open, as before (keep it inside the cluster, behind a NetworkPolicy). With it, every {@code /v1}
 * request must carry {@code Authorization: Bearer <token>}, or the web console's session cookie
 * ({@link ConsoleSessions}), or is answered {@code 401 unauthorized}: reading open alerts,
 * resolving one, reloading the policies and evaluating events all need it. A request that changes
 * something with the cookie must also carry the session's CSRF token, or is answered {@code 403}.
 *
 * <p>Whether or not a token is set, a browser request from another site that would change something
 * ({@code Sec-Fetch-Site} cross-site or same-site, or an {@code Origin} that is not this host) is
 * refused with {@code 403 cross-site}: an open API must not be drivable by any web page an engineer
 * visits. Clients that are not browsers (curl, CI) send neither header and are unaffected.
 *
 * <p>The admission webhook ({@code /k8s/validate}, called by the API server over TLS), the intakes,
 * health and metrics ({@code /q/...}) are not covered.
 */
@ApplicationScoped
public class ApiToken {

  /** Settings under {@code portcullis.api}. */
  @ConfigMapping(prefix = "portcullis.api")
  public interface Config {
    /**
     * The token {@code /v1} requests must present as {@code Authorization: Bearer <token>}; unset
     * (the default) leaves the API open. Set it from a Secret ({@code PORTCULLIS_API_TOKEN}).
     */
    Optional<String> token();
  }

  private static final Logger LOG = Logger.getLogger(ApiToken.class);
  private static final String PREFIX = "Bearer ";
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  private final byte[] token;
  private final ConsoleSessions sessions;

  public ApiToken(Config config, ConsoleSessions sessions) {
    String t = config.token().map(String::strip).orElse("");
    this.token = t.isEmpty() ? null : t.getBytes(StandardCharsets.UTF_8);
    this.sessions = sessions;
    if (token != null) {
      LOG.info("The /v1 API needs a bearer token (portcullis.api.token)");
    }
  }

  /** True when the text is the configured token (false when none is configured). */
  public boolean matches(String presented) {
    return token != null
        && presented != null
        && MessageDigest.isEqual(token, presented.strip().getBytes(StandardCharsets.UTF_8));
  }

  /** Runs once a resource matched, so the resource's own path decides, not the raw request path. */
  @ServerRequestFilter
  public Response check(ContainerRequestContext request, SimpleResourceInfo resource) {
    if (resource == null || resource.getResourceClass() == null) {
      return null;
    }
    Path path = resource.getResourceClass().getAnnotation(Path.class);
    if (path == null || !(path.value().equals("/v1") || path.value().startsWith("/v1/"))) {
      return null;
    }
    boolean unsafe = !SAFE.contains(request.getMethod());
    if (unsafe && crossSite(request)) {
      return ApiError.response(
          403,
          "cross-site",
          "a request from another site cannot change anything here (Origin or Sec-Fetch-Site)");
    }
    if (token == null) {
      return null;
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header != null
        && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        && matches(header.substring(PREFIX.length()))) {
      return null;
    }
    Cookie cookie = request.getCookies().get(ConsoleSessions.COOKIE);
    if (header == null && cookie != null && sessions.valid(cookie.getValue())) {
      if (unsafe
          && !sessions.csrfMatches(
              cookie.getValue(), request.getHeaderString(ConsoleSessions.CSRF_HEADER))) {
        return ApiError.response(
            403,
            "csrf",
            "a console request that changes something must carry the session's "
                + ConsoleSessions.CSRF_HEADER
                + " header");
      }
      return null;
    }
    Response r =
        ApiError.response(
            401,
            "unauthorized",
            header == null
                ? cookie == null
                    ? "this API needs a bearer token: send Authorization: Bearer"
                        + " <portcullis.api.token>"
                    : "the console session has expired or was signed with another token: log in"
                        + " again"
                : "the bearer token is not the one configured in portcullis.api.token");
    return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
  }

  /**
   * True when a browser says the request comes from another site: {@code Sec-Fetch-Site} other than
   * same-origin or none, or else an {@code Origin} whose host is not the one addressed.
   */
  public static boolean crossSite(ContainerRequestContext request) {
    String fetchSite = request.getHeaderString("Sec-Fetch-Site");
    if (fetchSite != null) {
      return !(fetchSite.equals("same-origin") || fetchSite.equals("none"));
    }
    String origin = request.getHeaderString("Origin");
    if (origin == null) {
      return false;
    }
    String host = request.getHeaderString("X-Forwarded-Host");
    if (host == null) {
      host = request.getHeaderString(HttpHeaders.HOST);
    }
    if (origin.equals("null") || host == null) {
      return true;
    }
    try {
      URI o = URI.create(origin);
      String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
      return !authority.equalsIgnoreCase(host.split(",")[0].strip());
    } catch (IllegalArgumentException e) {
      return true;
    }
  }
}
