package dev.portcullis.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * The JSON body of every error answer: {@code {"error": code, "message": text, ...}}. The code is
 * stable and machine-readable; the message says what exactly is wrong.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApiError(int status, String error, String message, Map<String, Object> details) {

  public static Response response(int status, String error, String message) {
    return response(status, error, message, Map.of());
  }

  public static Response response(
      int status, String error, String message, Map<String, Object> details) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(new ApiError(status, error, message, details))
        .build();
  }
}
