package dev.portcullis.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.policy.CloudTrailCatalog;
import dev.portcullis.policy.PolicyCompiler;
import dev.portcullis.policy.PolicySet;
import dev.portcullis.policy.PolicySources;
import dev.portcullis.testing.Corpus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of one event against N policies: the six bundled ones, copies of them (each its own
 * policy with its own id and parameters, as teams that tune a bundled policy per account would
 * have) and distinct rules on real CloudTrail event names (an {@code ==} on the action, the way
 * most policies start). Half the added policies are copies, half distinct. The evaluation is what
 * the stream does (enrichment and every policy), over the whole shared corpus taken in turn. With
 * {@code -p mix=copies} or {@code -p mix=distinct} the added policies are all of one kind.
 *
 * <p>Compile time of each set is printed from the setup ({@code [policies] N compiled in s}).
 *
 * <p>Run: {@code ./mvnw -B -q -Pbench test-compile exec:exec -Dbench.args="PolicyScaleBenchmark"}
 * (see docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Djava.util.logging.manager=org.jboss.logmanager.LogManager")
public class PolicyScaleBenchmark {

  @Param({"10", "100", "1000"})
  public int policies;

  /** What the added policies are: half copies and half distinct, or all of one kind. */
  @Param({"half"})
  public String mix;

  private final List<ChangeEvent> events = new ArrayList<>();
  private PolicySet set;
  private final Enrichment enrichment = Enrichment.standard();
  private FactContext context;
  private int next;

  @Setup
  public void setUp() throws Exception {
    QuietDrools.apply();
    Map<String, byte[]> files = generate(policies, mix);
    long t0 = System.nanoTime();
    set = new PolicyCompiler(-1, Clock.systemUTC()).compile(files);
    System.out.printf(
        "[policies] %d compiled in %.1f s (%d warnings)%n",
        set.policies().size(), (System.nanoTime() - t0) / 1e9, set.warnings().size());
    context = new FactContext(Lookups.NONE, set.parameters(Map.of()), new StateStore(), true);
    EventDecoder decoder = new EventDecoder(new ObjectMapper(), 1 << 24);
    for (String kind : List.of("cloudtrail", "k8saudit")) {
      for (Corpus.Line line : Corpus.lines(kind)) {
        events.addAll(
            decoder.decode(line.json().getBytes(StandardCharsets.UTF_8), Instant.EPOCH).events());
      }
    }
  }

  /** One event through the enrichment and all N policies. */
  @Benchmark
  public void evaluate(Blackhole bh) {
    ChangeEvent e = events.get(next);
    next = next + 1 == events.size() ? 0 : next + 1;
    bh.consume(set.evaluate(e, enrichment.facts(e, context), Map.of()));
  }

  static final Pattern RULE = Pattern.compile("^rule \"([^\"]+)\"", Pattern.MULTILINE);
  static final Pattern FUNCTION = Pattern.compile("^function \\S+ (\\w+)\\(", Pattern.MULTILINE);

  /** The bundled rules plus generated policies, N in all. */
  static Map<String, byte[]> generate(int total, String mix) throws Exception {
    Map<String, byte[]> bundled = PolicySources.fromDirectory(Path.of("rules"));
    Map<String, byte[]> files = new TreeMap<>(bundled);
    List<String> ids = new ArrayList<>();
    for (String path : bundled.keySet()) {
      if (path.endsWith("/policy.yaml") && !path.startsWith("shared/")) {
        ids.add(path.substring(0, path.indexOf('/')));
      }
    }
    List<String> names = new ArrayList<>(CloudTrailCatalog.bundled().names());
    names.sort(null);
    int added = total - ids.size();
    for (int i = 0; i < added; i++) {
      boolean copy =
          switch (mix) {
            case "copies" -> true;
            case "distinct" -> false;
            default -> i % 2 == 0;
          };
      if (copy) {
        copy(bundled, files, ids.get((i / 2) % ids.size()), i);
      } else {
        distinct(files, names.get((i * 7919) % names.size()), i);
      }
    }
    return files;
  }

  /** A bundled policy as a policy of its own: rule, function and parameter names made unique. */
  static void copy(Map<String, byte[]> bundled, Map<String, byte[]> files, String id, int n) {
    String copyId = id + "-v" + n;
    String drl = new String(bundled.get(id + "/policy.drl"), StandardCharsets.UTF_8);
    drl =
        RULE.matcher(drl)
            .replaceAll(m -> "rule \"" + Matcher.quoteReplacement(m.group(1)) + " v" + n + "\"");
    Matcher f = FUNCTION.matcher(drl);
    List<String> functions = new ArrayList<>();
    while (f.find()) {
      functions.add(f.group(1));
    }
    for (String fn : functions) {
      drl = drl.replaceAll("\\b" + fn + "\\(", fn + "V" + n + "(");
    }
    drl = drl.replace("policy == \"" + id + "\"", "policy == \"" + copyId + "\"");
    String yaml = new String(bundled.get(id + "/policy.yaml"), StandardCharsets.UTF_8);
    yaml = yaml.replaceFirst("(?m)^id: .*$", "id: " + copyId);
    files.put(copyId + "/policy.drl", drl.getBytes(StandardCharsets.UTF_8));
    files.put(copyId + "/policy.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  /** A distinct policy: one rule on one real CloudTrail event name. */
  static void distinct(Map<String, byte[]> files, String eventName, int n) {
    String id = "generated-" + n;
    String drl =
        "package portcullis.policies;\n\n"
            + "rule \"Generated "
            + n
            + ": "
            + eventName
            + "\"\nwhen\n    $e : ChangeEvent( source == \"cloudtrail\", action == \""
            + eventName
            + "\", outcome.effective )\nthen\n    verdicts.flag(drools, who($e) + \" ran "
            + eventName
            + "\");\nend\n";
    String yaml =
        "id: "
            + id
            + "\ntitle: Generated policy "
            + n
            + "\ndescription: A generated policy for the scale benchmark.\nseverity: low\n"
            + "enforcement: audit\nowner: bench\nrunbook: https://example.com/"
            + id
            + "\ntags: [bench]\nsources: [cloudtrail]\neventNames: ["
            + eventName
            + "]\n";
    files.put(id + "/policy.drl", drl.getBytes(StandardCharsets.UTF_8));
    files.put(id + "/policy.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }
}
