package dev.portcullis.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enforce.AdmissionAnswer;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.AdmissionReviewDecoder;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.PolicyCompiler;
import dev.portcullis.policy.PolicySet;
import dev.portcullis.policy.PolicySources;
import dev.portcullis.testing.AdmissionReviews;
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

/**
 * The work of one admission review on one thread, without HTTP: decode the AdmissionReview bytes
 * (JSON, secret removal, change event), work out the facts, run every bundled policy, build the
 * answer and write it as JSON. Half the reviews are a person's Secret (denied), half Argo CD's
 * (allowed).
 *
 * <p>Run: {@code ./mvnw -B -q -Pbench test-compile exec:exec -Dbench.args=AdmissionBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Djava.util.logging.manager=org.jboss.logmanager.LogManager")
public class AdmissionBenchmark {

  private final List<byte[]> reviews = new ArrayList<>();
  private final ObjectMapper mapper = new ObjectMapper();
  private AdmissionReviewDecoder decoder;
  private PolicySet policies;
  private FactContext context;
  private final Enrichment enrichment = Enrichment.standard();
  private int next;

  @Setup
  public void setUp() throws Exception {
    QuietDrools.apply();
    decoder = new AdmissionReviewDecoder(mapper, 8 << 20);
    policies =
        new PolicyCompiler(-1, Clock.systemUTC())
            .compile(PolicySources.fromDirectory(Path.of("rules")));
    context = new FactContext(Lookups.NONE, policies.parameters(Map.of()), new StateStore(), false);
    for (int i = 0; i < 1000; i++) {
      AdmissionReviews.Request r = AdmissionReviews.secret("payments", "bench-" + i);
      if (i % 2 == 1) {
        r.argoCd();
      }
      reviews.add(r.review().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Bytes in, answer bytes out. */
  @Benchmark
  public byte[] review() throws Exception {
    byte[] body = reviews.get(next);
    next = next + 1 == reviews.size() ? 0 : next + 1;
    Instant now = Instant.now();
    AdmissionReviewDecoder.Request request = decoder.decode(body, now);
    ChangeEvent e = request.asApplied();
    DecisionRecord record =
        DecisionRecord.of(
            e,
            now,
            now,
            policies.version(),
            policies.evaluate(e, enrichment.facts(e, context), Map.of()));
    return mapper.writeValueAsBytes(AdmissionAnswer.of(request.uid(), record, 10).review());
  }
}
