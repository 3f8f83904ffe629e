package dev.portcullis.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.MockLookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.DecodedBatch;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.StageCoalescing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The test cases of a policy folder, ready to run: the folder compiled strictly (unknown CloudTrail
 * names are errors), every {@code <policy>/tests/*.yaml} read, and every policy checked to have at
 * least one case that fires and one that does not. The one runner behind {@code mvn test} (one
 * JUnit test per case) and {@code java -jar quarkus-run.jar test [rules-dir]}.
 *
 * <p>A case's events go through the same decoder as the stream and the same {@link
 * PolicySet#evaluate} (enforcement, exceptions judged by event time); enrichment lookups are
 * answered by the case's {@code mocks:}. Only the case's own policy's decisions are compared.
 */
public final class PolicyTestSuite {

  /** Folder of test cases inside a policy folder. */
  public static final String TESTS = "tests";

  /** Arrival time given to events: only events without a time of their own are judged by it. */
  static final Instant ARRIVAL = Instant.EPOCH;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CASE_FIELDS =
      List.of(
          "description",
          "event",
          "eventFile",
          "events",
          "mocks",
          "parameters",
          "expect",
          "expectEach");
  private static final List<String> EXPECT_FIELDS =
      List.of("action", "severity", "summaryContains", "exception");

  private final PolicySet set;
  private final List<PolicyTestCase> cases;
  private final List<Problem> problems;
  private final List<Problem> warnings;
  private final Enrichment enrichment;
  private final Map<String, String> metadataSources;
  private final EventDecoder decoder = new EventDecoder(JSON, 16 * 1024 * 1024);

  private PolicyTestSuite(
      PolicySet set,
      List<PolicyTestCase> cases,
      List<Problem> problems,
      List<Problem> warnings,
      Enrichment enrichment,
      Map<String, String> metadataSources) {
    this.set = set;
    this.metadataSources = Map.copyOf(metadataSources);
    this.cases = List.copyOf(cases);
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
    this.enrichment = enrichment;
  }

  /** Loads a folder on disk with the standard enrichment and the default exception limit. */
  public static PolicyTestSuite load(Path dir) throws IOException {
    return load(
        PolicySources.fromDirectory(dir),
        new PolicyCompiler(
            -1, java.time.Clock.systemUTC(), true, PolicyCompiler.DEFAULT_EXCEPTION_MAX_AHEAD),
        Enrichment.standard());
  }

  /**
   * Compiles the files and reads their test cases. Never throws for problems in the folder: they
   * are in {@link #problems()}, and a suite with problems must fail.
   */
  public static PolicyTestSuite load(
      Map<String, byte[]> files, PolicyCompiler compiler, Enrichment enrichment) {
    List<Problem> problems = new ArrayList<>();
    List<Problem> warnings = new ArrayList<>();
    PolicySet set = null;
    try {
      set = compiler.compile(files);
      warnings.addAll(set.warnings());
    } catch (PolicyLoadException e) {
      problems.addAll(e.problems());
      warnings.addAll(e.warnings());
    }
    List<PolicyTestCase> cases = new ArrayList<>();
    Map<String, List<PolicyTestCase>> byPolicy = new TreeMap<>();
    for (String path : files.keySet()) {
      String[] parts = path.split("/");
      if (parts.length != 3
          || !parts[1].equals(TESTS)
          || !(parts[2].endsWith(".yaml") || parts[2].endsWith(".yml"))) {
        continue;
      }
      PolicyTestCase c = readCase(parts[0], path, files, problems);
      if (c != null) {
        cases.add(c);
        byPolicy.computeIfAbsent(c.policy(), k -> new ArrayList<>()).add(c);
      }
    }
    if (set != null) {
      for (String id : set.policies().keySet()) {
        List<PolicyTestCase> own = byPolicy.getOrDefault(id, List.of());
        boolean fires = own.stream().anyMatch(PolicyTestCase::fires);
        boolean quiet = own.stream().anyMatch(PolicyTestCase::staysQuiet);
        if (!fires || !quiet) {
          problems.add(
              Problem.of(
                  id + "/" + TESTS + "/",
                  "needs at least one case that fires (expect: [{action: ..., severity: ...}])"
                      + " and one that does not (expect: []); "
                      + (own.isEmpty()
                          ? "it has no cases"
                          : "it has none that " + (fires ? "stays quiet" : "fires"))));
        }
      }
      for (String id : byPolicy.keySet()) {
        if (!set.policies().containsKey(id)) {
          problems.add(Problem.of(id + "/" + TESTS + "/", "cases for a folder that is no policy"));
        }
      }
    }
    Map<String, String> metadataSources = new TreeMap<>();
    if (set != null) {
      for (String id : set.policies().keySet()) {
        byte[] yaml = files.get(id + "/" + PolicyCompiler.METADATA);
        if (yaml != null) {
          metadataSources.put(id, new String(yaml, StandardCharsets.UTF_8));
        }
      }
    }
    return new PolicyTestSuite(set, cases, problems, warnings, enrichment, metadataSources);
  }

  /** The text of a policy's {@code policy.yaml}, comments included (for the docs). */
  public Optional<String> metadataSource(String policy) {
    return Optional.ofNullable(metadataSources.get(policy));
  }

  /** Problems that make the suite fail before any case runs (compile errors, bad case files). */
  public List<Problem> problems() {
    return problems;
  }

  /** Lint findings and other warnings; printed, not failing. */
  public List<Problem> warnings() {
    return warnings;
  }

  public List<PolicyTestCase> cases() {
    return cases;
  }

  /** The compiled policies, or null when they do not compile. */
  public PolicySet policySet() {
    return set;
  }

  /** Runs every case; cases cannot run when the policies do not compile. */
  public List<CaseResult> runAll() {
    return cases.stream().map(this::run).toList();
  }

  /** Runs one case. */
  public CaseResult run(PolicyTestCase c) {
    if (set == null) {
      return new CaseResult(c, false, "the policies do not compile");
    }
    List<ChangeEvent> events = new ArrayList<>();
    for (PolicyTestCase.Input in : c.inputs()) {
      try {
        DecodedBatch batch = decoder.decode(in.bytes(), ARRIVAL);
        if (!batch.rejected().isEmpty()) {
          return new CaseResult(
              c, false, in.where() + ": not an event: " + batch.rejected().get(0).message());
        }
        events.addAll(StageCoalescing.coalesce(batch.events()));
      } catch (InvalidEventException e) {
        return new CaseResult(c, false, in.where() + ": not an event: " + e.getMessage());
      }
    }
    if (events.isEmpty()) {
      return new CaseResult(c, false, "the case holds no event");
    }
    List<List<PolicyTestCase.Expectation>> expectEach = c.expectEach();
    boolean each = expectEach.stream().allMatch(l -> l != null);
    if (each && expectEach.size() != events.size()) {
      return new CaseResult(
          c,
          false,
          "expectEach has "
              + expectEach.size()
              + " lists but the case holds "
              + events.size()
              + " events");
    }
    MockLookups lookups = new MockLookups(c.mocks());
    // Each case starts from nothing: its own state, its own parameters over the defaults.
    FactContext context =
        new FactContext(
            lookups, set.parameters(Map.of(c.policy(), c.parameters())), new StateStore(), true);
    StringBuilder failures = new StringBuilder();
    for (int i = 0; i < events.size(); i++) {
      ChangeEvent e = events.get(i);
      List<Decision> all = new ArrayList<>();
      try {
        all.addAll(set.evaluate(e, enrichment.facts(e, context), Map.of()));
        // Judgements of earlier events that this event made due (its time moved the watermark
        // past their window) show on this event.
        for (DueEvaluation due : enrichment.due(context, null)) {
          all.addAll(set.evaluate(due, Map.of()));
        }
      } catch (RuntimeException ex) {
        return new CaseResult(c, false, "event " + (i + 1) + ": the rules failed: " + ex);
      }
      List<PolicyTestCase.Expectation> expected =
          each ? expectEach.get(i) : i == events.size() - 1 ? c.finalExpectation() : null;
      if (expected == null) {
        continue;
      }
      List<Decision> own = all.stream().filter(d -> d.policy().equals(c.policy())).toList();
      if (!matchAll(expected, own)) {
        if (events.size() > 1) {
          failures.append("event ").append(i + 1).append(" (").append(e).append("):\n");
        }
        failures
            .append("  expected: ")
            .append(expected.isEmpty() ? "no decision" : expected)
            .append('\n')
            .append("  actual:   ")
            .append(own.isEmpty() ? "no decision" : describe(own))
            .append('\n');
      }
    }
    if (!lookups.unused().isEmpty()) {
      failures
          .append("  mocks never looked up (no enricher asks for them): ")
          .append(lookups.unused())
          .append('\n');
    }
    return failures.isEmpty()
        ? new CaseResult(c, true, null)
        : new CaseResult(c, false, failures.toString().stripTrailing());
  }

  private static String describe(List<Decision> decisions) {
    List<String> out = new ArrayList<>();
    for (Decision d : decisions) {
      out.add(
          d.action().wireName()
              + "/"
              + d.severity().wireName()
              + (d.exception() == null ? "" : " by exception " + d.exception())
              + " \""
              + d.summary()
              + "\"");
    }
    return out.toString();
  }

  /** True when expectations and decisions pair up one to one. */
  static boolean matchAll(List<PolicyTestCase.Expectation> expected, List<Decision> actual) {
    if (expected.size() != actual.size()) {
      return false;
    }
    return pair(expected, 0, actual, new boolean[actual.size()]);
  }

  private static boolean pair(
      List<PolicyTestCase.Expectation> expected, int i, List<Decision> actual, boolean[] used) {
    if (i == expected.size()) {
      return true;
    }
    for (int j = 0; j < actual.size(); j++) {
      if (!used[j] && expected.get(i).matches(actual.get(j))) {
        used[j] = true;
        if (pair(expected, i + 1, actual, used)) {
          return true;
        }
        used[j] = false;
      }
    }
    return false;
  }

  // ---- reading case files ----

  /**
   * The test cases in these files, read without compiling the policies (cases that do not read are
   * left out): their events are the warm-up of a starting service ({@code stream/WarmUp}).
   */
  public static List<PolicyTestCase> readCases(Map<String, byte[]> files) {
    List<PolicyTestCase> cases = new ArrayList<>();
    List<Problem> ignored = new ArrayList<>();
    for (String path : files.keySet()) {
      String[] parts = path.split("/");
      if (parts.length == 3
          && parts[1].equals(TESTS)
          && (parts[2].endsWith(".yaml") || parts[2].endsWith(".yml"))) {
        PolicyTestCase c = readCase(parts[0], path, files, ignored);
        if (c != null) {
          cases.add(c);
        }
      }
    }
    return cases;
  }

  private static PolicyTestCase readCase(
      String policy, String file, Map<String, byte[]> files, List<Problem> problems) {
    YamlFiles.Doc doc;
    try {
      doc = YamlFiles.read(file, files.get(file));
    } catch (PolicyLoadException e) {
      problems.addAll(e.problems());
      return null;
    }
    int before = problems.size();
    MetadataReader.Fields f = new MetadataReader.Fields(file, doc, problems);
    f.onlyKnown(CASE_FIELDS);
    String description = f.text("description", true);
    String testsDir = policy + "/" + TESTS + "/";
    List<PolicyTestCase.Input> inputs = new ArrayList<>();
    int given =
        (f.node("event") != null ? 1 : 0)
            + (f.node("eventFile") != null ? 1 : 0)
            + (f.node("events") != null ? 1 : 0);
    if (given != 1) {
      f.error(given == 0 ? "event" : "events", "give exactly one of event:, eventFile: or events:");
    } else if (f.node("event") != null) {
      input(f, "event", f.node("event"), file + " event", inputs);
    } else if (f.node("eventFile") != null) {
      String ref = f.text("eventFile", true);
      if (ref != null) {
        fileInput(f, "eventFile", testsDir, ref, files, inputs);
      }
    } else {
      JsonNode list = f.node("events");
      if (!list.isArray() || list.isEmpty()) {
        f.error("events", "must be a non-empty list of events (or of {eventFile: path})");
      } else {
        int n = 0;
        for (JsonNode e : list) {
          n++;
          if (e.isObject() && e.size() == 1 && e.has("eventFile")) {
            fileInput(f, "events", testsDir, e.get("eventFile").asText(), files, inputs);
          } else {
            input(f, "events", e, file + " events[" + n + "]", inputs);
          }
        }
      }
    }
    Map<String, JsonNode> mocks = new LinkedHashMap<>();
    JsonNode m = f.node("mocks");
    if (m != null) {
      if (!m.isObject()) {
        f.error("mocks", "must be a mapping of lookup name to answer");
      } else {
        m.fields().forEachRemaining(e -> mocks.put(e.getKey(), e.getValue()));
      }
    }
    JsonNode parameters = f.node("parameters");
    if (parameters != null && !parameters.isObject()) {
      f.error("parameters", "must be a mapping of parameter name to value");
    }
    List<List<PolicyTestCase.Expectation>> expectEach = new ArrayList<>();
    JsonNode expect = doc.root().get("expect");
    JsonNode each = doc.root().get("expectEach");
    if ((expect == null) == (each == null)) {
      f.error(
          "expect", "give exactly one of expect: (the last event) or expectEach: (every event)");
    } else if (expect != null) {
      List<PolicyTestCase.Expectation> l = expectations(f, "expect", expect);
      int count = Math.max(inputs.size(), 1);
      for (int i = 0; i < count - 1; i++) {
        expectEach.add(null);
      }
      expectEach.add(l);
    } else if (!each.isArray() || each.isEmpty()) {
      f.error("expectEach", "must be a list with one list of decisions per event");
    } else {
      for (JsonNode l : each) {
        expectEach.add(expectations(f, "expectEach", l));
      }
    }
    if (problems.size() != before) {
      return null;
    }
    String name = file.substring(file.lastIndexOf('/') + 1);
    name = name.substring(0, name.lastIndexOf('.'));
    return new PolicyTestCase(
        policy,
        name,
        file,
        description,
        inputs,
        mocks,
        parameters == null ? JsonNodeFactory.instance.objectNode() : parameters,
        expectEach);
  }

  private static void input(
      MetadataReader.Fields f,
      String field,
      JsonNode event,
      String where,
      List<PolicyTestCase.Input> inputs) {
    if (!event.isObject() && !event.isArray()) {
      f.error(field, "an event must be a mapping (or a list), not a " + YamlFiles.kind(event));
      return;
    }
    try {
      inputs.add(new PolicyTestCase.Input(JSON.writeValueAsBytes(event), where));
    } catch (JsonProcessingException e) {
      f.error(field, "cannot be written as JSON: " + e.getOriginalMessage());
    }
  }

  private static void fileInput(
      MetadataReader.Fields f,
      String field,
      String testsDir,
      String ref,
      Map<String, byte[]> files,
      List<PolicyTestCase.Input> inputs) {
    String path = normalize(testsDir + ref);
    byte[] bytes = path == null ? null : files.get(path);
    if (bytes == null) {
      f.error(
          field,
          "'"
              + ref
              + "' not found (a path relative to "
              + testsDir
              + ", inside the policies folder)");
      return;
    }
    if (path.endsWith(".yaml") || path.endsWith(".yml")) {
      try {
        bytes = JSON.writeValueAsBytes(YamlFiles.YAML.readTree(bytes));
      } catch (IOException e) {
        f.error(field, "'" + ref + "' is not valid YAML: " + YamlFiles.firstLine(e));
        return;
      }
    }
    inputs.add(new PolicyTestCase.Input(bytes, path));
  }

  /** Resolves {@code .} and {@code ..}; null when the path leaves the policies folder. */
  static String normalize(String path) {
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (out.isEmpty()) {
          return null;
        }
        out.remove(out.size() - 1);
      } else {
        out.add(part);
      }
    }
    return String.join("/", out);
  }

  private static List<PolicyTestCase.Expectation> expectations(
      MetadataReader.Fields f, String field, JsonNode list) {
    if (list == null || !list.isArray()) {
      f.error(field, "must be a list of decisions ([] when the policy must not fire)");
      return List.of();
    }
    List<PolicyTestCase.Expectation> out = new ArrayList<>();
    for (JsonNode e : list) {
      if (!e.isObject()) {
        f.error(field, "each decision is a mapping {action: ..., severity: ...}");
        continue;
      }
      for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!EXPECT_FIELDS.contains(k)) {
          f.error(field, "unknown field '" + k + "' in a decision (known: " + EXPECT_FIELDS + ")");
        }
      }
      Enforcement action = null;
      Severity severity = null;
      try {
        action = Enforcement.of(e.path("action").asText(""));
      } catch (IllegalArgumentException ex) {
        f.error(field, "action must be one of block, alert, audit, suppressed");
      }
      try {
        severity = Severity.of(e.path("severity").asText(""));
      } catch (IllegalArgumentException ex) {
        f.error(field, "severity must be one of critical, high, medium, low, info");
      }
      List<String> contains = new ArrayList<>();
      JsonNode s = e.get("summaryContains");
      if (s != null && s.isArray()) {
        s.forEach(x -> contains.add(x.asText()));
      } else if (s != null && s.isValueNode()) {
        contains.add(s.asText());
      }
      String exception = e.hasNonNull("exception") ? e.get("exception").asText() : null;
      if (action != null && severity != null) {
        out.add(new PolicyTestCase.Expectation(action, severity, List.copyOf(contains), exception));
      }
    }
    return out;
  }
}
