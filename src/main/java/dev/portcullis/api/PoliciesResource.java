package dev.portcullis.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.PolicyEngine;
import dev.portcullis.policy.PolicyMetadata;
import dev.portcullis.policy.PolicySet;
import dev.portcullis.policy.PolicyWatcher;
import dev.portcullis.policy.ReloadOutcome;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The policies in force and their reloading.
 *
 * <ul>
 *   <li>{@code GET /v1/policies}: every loaded policy with its metadata and effective enforcement,
 *       the version (content hash) and load time, the warnings, the last reload attempt, and, while
 *       the last change was rejected, {@code error} with every problem (file:line).
 *   <li>{@code POST /v1/policies/reload}: reads and compiles the folder again; {@code 200} with the
 *       outcome when it loaded (or was unchanged), {@code 422} with every problem when it was
 *       rejected (the previous policies keep running).
 * </ul>
 */
@Path("/v1/policies")
@Produces(MediaType.APPLICATION_JSON)
public class PoliciesResource {

  /** One policy as loaded. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PolicyView(
      String id,
      String title,
      String description,
      String severity,
      String enforcement,
      String effectiveEnforcement,
      boolean overridden,
      String owner,
      String runbook,
      List<String> tags,
      List<String> sources,
      List<String> eventNames,
      String dedupWindow,
      long exceptions) {}

  /** The answer of {@code GET /v1/policies}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PoliciesView(
      String version,
      Instant loadedAt,
      String origin,
      boolean watching,
      List<PolicyView> policies,
      List<String> warnings,
      ReloadOutcome lastReload,
      ReloadOutcome error) {}

  @Inject PolicyEngine engine;
  @Inject PolicyWatcher watcher;

  @GET
  public PoliciesView list() {
    PolicySet set = engine.current();
    List<PolicyView> views = set.policies().values().stream().map(p -> view(p, set)).toList();
    return new PoliciesView(
        set.version(),
        set.loadedAt(),
        engine.origin(),
        watcher.isWatching(),
        views,
        engine.warnings(),
        engine.lastReload(),
        engine.lastRejection());
  }

  @POST
  @Path("/reload")
  public Response reload() {
    ReloadOutcome outcome = engine.reload("api");
    if (outcome.result() == ReloadOutcome.Result.REJECTED) {
      return ApiError.response(
          422,
          "policies-rejected",
          "the changed policies do not load; version "
              + engine.current().version()
              + " stays in force",
          Map.of("problems", outcome.problems(), "attemptedVersion", outcome.version()));
    }
    return Response.ok(outcome).build();
  }

  private PolicyView view(PolicyMetadata p, PolicySet set) {
    Enforcement effective = engine.effectiveEnforcement(p);
    return new PolicyView(
        p.id(),
        p.title(),
        p.description(),
        p.severity().wireName(),
        p.enforcement().wireName(),
        effective.wireName(),
        effective != p.enforcement(),
        p.owner(),
        p.runbook(),
        p.tags(),
        p.sources(),
        p.eventNames(),
        p.dedupWindow() == null ? null : p.dedupWindow().toString(),
        set.exceptions().stream().filter(e -> e.policy().equals(p.id())).count());
  }
}
