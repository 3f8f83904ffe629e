package dev.portcullis.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns framework errors (unsupported media type, body too large, unknown path) into the same JSON
 * error body as our own answers, never an HTML page or an empty 5xx.
 */
public class ApiExceptionMappers {

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    Response.StatusType type = Response.Status.fromStatusCode(status);
    String code =
        type == null
            ? "http-" + status
            : type.getReasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
    return ApiError.response(status, code, e.getMessage() == null ? code : e.getMessage());
  }
}
