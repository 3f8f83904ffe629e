package dev.portcullis.enforce;

import dev.portcullis.api.ApiError;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /k8s/validate}: the validating admission webhook. An {@code admission.k8s.io/v1
 * AdmissionReview} in, the same kind out with the {@code response} (see {@link AdmissionAnswer}),
 * always with status 200 once a review is judged, whatever the verdict.
 *
 * <p>Input it will not judge gets a JSON error ({@code {"status","error","message"}}), never a 5xx:
 * 413 for a review larger than {@code portcullis.admission.max-bytes}, 400 for one that is not
 * JSON, not a v1 AdmissionReview or misses a required field, 403 for plain HTTP while HTTPS is on.
 * The API server treats such answers as a failed call and applies the webhook configuration's
 * failurePolicy. Never blocks an I/O thread: the review is judged on the webhook's own pool.
 */
@Path("/k8s/validate")
public class AdmissionReviewResource {

  @Inject AdmissionWebhook webhook;
  @Inject AdmissionTls tls;

  @POST
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public CompletionStage<Response> validate(@Context HttpServerRequest http, byte[] body) {
    long arrival = System.nanoTime();
    if (tls.httpsOn() && !http.isSSL()) {
      return CompletableFuture.completedFuture(
          error(
              webhook.reject(
                  403,
                  "https-required",
                  "the admission webhook answers over HTTPS only (quarkus.http.ssl-port); plain"
                      + " HTTP stays open for health, metrics and the /v1 API",
                  arrival)));
    }
    return webhook
        .review(body, arrival)
        .thenApply(
            reply ->
                reply.answer() != null
                    ? Response.ok(reply.answer().review(), MediaType.APPLICATION_JSON).build()
                    : error(reply));
  }

  private static Response error(AdmissionWebhook.Reply reply) {
    AdmissionWebhook.Rejection r = reply.rejection();
    return Response.status(r.status())
        .type(MediaType.APPLICATION_JSON)
        .entity(new ApiError(r.status(), r.code(), r.message(), Map.of()))
        .build();
  }
}
