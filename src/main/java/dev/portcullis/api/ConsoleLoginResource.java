package dev.portcullis.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.jboss.logging.Logger;

/**
 * The console's login and logout (outside {@code /v1}, so they need no token themselves).
 *
 * <ul>
 *   <li>{@code POST /console/login} with the form field {@code token}: the configured API token
 *       sets the session cookie and goes to the console ({@code 303 /}); another goes back to the
 *       login page with {@code ?failed} ({@code 303}), and nothing is set.
 *   <li>{@code POST /console/logout} clears the cookie and goes to the login page.
 * </ul>
 *
 * Both refuse a request from another site ({@code 403}), so no page can log a browser in with a
 * token of its choosing.
 */
@Path("/console")
public class ConsoleLoginResource {

  private static final Logger LOG = Logger.getLogger(ConsoleLoginResource.class);

  @Inject ApiToken token;
  @Inject ConsoleSessions sessions;

  @POST
  @Path("/login")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response login(
      @FormParam("token") String presented, @Context ContainerRequestContext req) {
    if (ApiToken.crossSite(req)) {
      return ApiError.response(403, "cross-site", "a login must come from the console's own page");
    }
    if (!sessions.required()) {
      return Response.seeOther(URI.create("/")).build();
    }
    if (!token.matches(presented)) {
      LOG.info("Console: a login with a wrong token was refused");
      return Response.seeOther(URI.create("/login.html?failed")).build();
    }
    return Response.seeOther(URI.create("/"))
        .cookie(cookie(sessions.issue(), (int) sessions.ttl().toSeconds(), secure(req)))
        .build();
  }

  @POST
  @Path("/logout")
  public Response logout(@Context ContainerRequestContext req) {
    if (ApiToken.crossSite(req)) {
      return ApiError.response(403, "cross-site", "a logout must come from the console's own page");
    }
    return Response.seeOther(URI.create("/login.html")).cookie(cookie("", 0, secure(req))).build();
  }

  private static boolean secure(ContainerRequestContext req) {
    String proto = req.getHeaderString("X-Forwarded-Proto");
    return "https".equalsIgnoreCase(req.getUriInfo().getRequestUri().getScheme())
        || (proto != null && proto.strip().equalsIgnoreCase("https"));
  }

  private static NewCookie cookie(String value, int maxAge, boolean secure) {
    return new NewCookie.Builder(ConsoleSessions.COOKIE)
        .value(value)
        .path("/")
        .maxAge(maxAge)
        .httpOnly(true)
        .secure(secure)
        .sameSite(NewCookie.SameSite.STRICT)
        .build();
  }
}
