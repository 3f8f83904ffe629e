package dev.portcullis.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
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
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parse and evaluate over the whole shared corpus (1,181 CloudTrail records and 280 audit events,
 * taken in turn), one event per operation: the throughput is events per second on one thread.
 * Evaluation is what the stream does: the standard enrichment (fact providers, policy parameters,
 * state, no AWS lookups) and then every bundled policy.
 *
 * <p>Run: {@code ./mvnw -B -q -Pbench test-compile exec:exec} (see docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Djava.util.logging.manager=org.jboss.logmanager.LogManager")
public class EvaluationBenchmark {

  private final List<byte[]> inputs = new ArrayList<>();
  private final List<ChangeEvent> events = new ArrayList<>();
  private EventDecoder decoder;
  private PolicySet policies;
  private final Enrichment enrichment = Enrichment.standard();
  private FactContext context;

  private int next;

  @Setup
  public void setUp() throws Exception {
    QuietDrools.apply();
    decoder = new EventDecoder(new ObjectMapper(), 1 << 24);
    policies =
        new PolicyCompiler(-1, Clock.systemUTC())
            .compile(PolicySources.fromDirectory(Path.of("rules")));
    context = new FactContext(Lookups.NONE, policies.parameters(Map.of()), new StateStore(), true);
    for (String kind : List.of("cloudtrail", "k8saudit")) {
      for (Corpus.Line line : Corpus.lines(kind)) {
        byte[] bytes = line.json().getBytes(StandardCharsets.UTF_8);
        inputs.add(bytes);
        events.addAll(decoder.decode(bytes, Instant.EPOCH).events());
      }
    }
  }

  private int nextIndex(int size) {
    int i = next;
    next = i + 1 == size ? 0 : i + 1;
    return i;
  }

  /** Bytes to ChangeEvent: JSON parse, shape detection, secret removal, canonical fields. */
  @Benchmark
  public void parse(Blackhole bh) throws InvalidEventException {
    bh.consume(decoder.decode(inputs.get(nextIndex(inputs.size())), Instant.EPOCH));
  }

  /**
   * The enrichment alone (fact providers, parameters, state): the part of evaluate before the
   * rules.
   */
  @Benchmark
  public void enrich(Blackhole bh) {
    ChangeEvent e = events.get(nextIndex(events.size()));
    bh.consume(enrichment.facts(e, context));
  }

  /** A parsed ChangeEvent through the enrichment and every bundled policy. */
  @Benchmark
  public void evaluate(Blackhole bh) {
    ChangeEvent e = events.get(nextIndex(events.size()));
    bh.consume(policies.evaluate(e, enrichment.facts(e, context), Map.of()));
  }

  /** Both: what the stream does per event before writing the decision. */
  @Benchmark
  public void parseAndEvaluate(Blackhole bh) throws InvalidEventException {
    for (ChangeEvent e :
        decoder.decode(inputs.get(nextIndex(inputs.size())), Instant.EPOCH).events()) {
      bh.consume(policies.evaluate(e, enrichment.facts(e, context), Map.of()));
    }
  }
}
