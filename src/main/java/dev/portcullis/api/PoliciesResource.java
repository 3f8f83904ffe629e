package dev.portcullis.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.policy.CaseResult;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.PolicyCompiler;
import dev.portcullis.policy.PolicyEngine;
import dev.portcullis.policy.PolicyMetadata;
import dev.portcullis.policy.PolicySet;
import dev.portcullis.policy.PolicyTestCase;
import dev.portcullis.policy.PolicyTestSuite;
import dev.portcullis.policy.PolicyWatcher;
import dev.portcullis.policy.Problem;
import dev.portcullis.policy.ReloadOutcome;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The policies in force and their reloading.
 *
 * <ul>
 *   <li>{@code GET /v1/policies}: every loaded policy with its metadata, effective enforcement and
 *       parameters in force (defaults merged with the operator's overrides), the version (content
 *       hash) and load time, the warnings, the last reload attempt, and, while the last change was
 *       rejected, {@code error} with every problem (file:line).
 *   <li>{@code GET /v1/policies/tests}: every policy test case of the folder as it is now, with its
 *       result; run once per version of the folder and kept ({@code ?run=true} runs them again).
 *       The problems that keep the folder from loading are listed with file:line.
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
      long exceptions,
      JsonNode parameters) {}

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

  /** One test case and its last result. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CaseView(
      String policy,
      String name,
      String file,
      String description,
      boolean fires,
      boolean passed,
      String failure) {}

  /** The answer of {@code GET /v1/policies/tests}. */
  public record TestsView(
      String version,
      Instant ranAt,
      int passed,
      int failed,
      List<Problem> problems,
      List<CaseView> cases) {}

  @Inject PolicyEngine engine;
  @Inject PolicyWatcher watcher;
  @Inject ChangeEvaluator evaluator;

  private TestsView lastTests;

  @GET
  public PoliciesView list() {
    PolicySet set = engine.current();
    Map<String, JsonNode> parameters = evaluator.parameters();
    List<PolicyView> views =
        set.policies().values().stream().map(p -> view(p, set, parameters.get(p.id()))).toList();
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

  @GET
  @Path("/tests")
  public synchronized TestsView tests(@QueryParam("run") boolean run) throws IOException {
    Map<String, byte[]> files = engine.files();
    String version = PolicyCompiler.version(files);
    if (!run && lastTests != null && lastTests.version().equals(version)) {
      return lastTests;
    }
    PolicyTestSuite suite = engine.testSuite(files);
    List<CaseView> cases = new ArrayList<>();
    int passed = 0;
    for (CaseResult r : suite.problems().isEmpty() ? suite.runAll() : List.<CaseResult>of()) {
      PolicyTestCase c = r.testCase();
      cases.add(
          new CaseView(
              c.policy(), c.name(), c.file(), c.description(), c.fires(), r.passed(), r.failure()));
      passed += r.passed() ? 1 : 0;
    }
    lastTests =
        new TestsView(
            version, Instant.now(), passed, cases.size() - passed, suite.problems(), cases);
    return lastTests;
  }

  private PolicyView view(PolicyMetadata p, PolicySet set, JsonNode parameters) {
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
        set.exceptions().stream().filter(e -> e.policy().equals(p.id())).count(),
        parameters);
  }
}
