package dev.portcullis.api;

import io.smallrye.config.ConfigMapping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * An optional bearer token for the {@code /v1} API. Without {@code portcullis.api.token} the API is
 * open, as before (keep it inside the cluster, behind a NetworkPolicy). With it, every {@code /v1}
 * request must carry {@code Authorization: Bearer <token>}, or is answered {@code 401
 * unauthorized}: reading open alerts, resolving one, reloading the policies and evaluating events
 * all need it. The admission webhook ({@code /k8s/validate}, called by the API server over TLS),
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

  private final byte[] token;

  public ApiToken(Config config) {
    String t = config.token().map(String::strip).orElse("");
    this.token = t.isEmpty() ? null : t.getBytes(StandardCharsets.UTF_8);
    if (token != null) {
      LOG.info("The /v1 API needs a bearer token (portcullis.api.token)");
    }
  }

  /** Runs once a resource matched, so the resource's own path decides, not the raw request path. */
  @ServerRequestFilter
  public Response check(ContainerRequestContext request, SimpleResourceInfo resource) {
    if (token == null || resource == null || resource.getResourceClass() == null) {
      return null;
    }
    Path path = resource.getResourceClass().getAnnotation(Path.class);
    if (path == null || !(path.value().equals("/v1") || path.value().startsWith("/v1/"))) {
      return null;
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header != null
        && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        && MessageDigest.isEqual(
            token, header.substring(PREFIX.length()).strip().getBytes(StandardCharsets.UTF_8))) {
      return null;
    }
    Response r =
        ApiError.response(
            401,
            "unauthorized",
            header == null
                ? "this API needs a bearer token: send Authorization: Bearer <portcullis.api.token>"
                : "the bearer token is not the one configured in portcullis.api.token");
    return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
  }
}
