package dev.portcullis.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.DecodedBatch;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.PolicyTestCase;
import dev.portcullis.policy.PolicyTestSuite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Warms a starting service up before its stream takes the first event: the policies' own test-case
 * events go round the stream's path (decode, write and read the change record, judge with the
 * policies in force, write the decision) until the JIT has compiled it, so the first events after a
 * restart are not judged by the interpreter. Without lookups, state or metrics: nothing leaves the
 * process and nothing is remembered. Measured in docs/benchmarks.md ("Warm start").
 */
final class WarmUp {

  private static final Logger LOG = Logger.getLogger(WarmUp.class);

  /** Most rounds over the events: more gains nothing once the JIT has compiled the path. */
  static final int MAX_ROUNDS = 200;

  /** What a warm-up did. */
  record Result(int events, int evaluations, long millis) {}

  private WarmUp() {}

  /** Warms up on the test cases of the policies in force, for at most {@code budget}. */
  static Result run(
      ChangeEvaluator evaluator, EventDecoder decoder, ObjectMapper mapper, Duration budget) {
    if (budget.isZero() || budget.isNegative()) {
      return new Result(0, 0, 0);
    }
    Map<String, byte[]> files;
    try {
      files = evaluator.policyFiles();
    } catch (IOException e) {
      LOG.warnf("No warm-up: the policy files could not be read (%s)", e.getMessage());
      return new Result(0, 0, 0);
    }
    List<byte[]> inputs = new ArrayList<>();
    for (PolicyTestCase c : PolicyTestSuite.readCases(files)) {
      c.inputs().forEach(i -> inputs.add(i.bytes()));
    }
    Result r = run(evaluator, decoder, mapper, inputs, budget, MAX_ROUNDS);
    LOG.infof(
        "Warmed up in %d ms: %d evaluations of %d test-case events",
        r.millis(), r.evaluations(), r.events());
    return r;
  }

  /** Rounds over the inputs until {@code budget} is spent or {@code maxRounds} are done. */
  static Result run(
      ChangeEvaluator evaluator,
      EventDecoder decoder,
      ObjectMapper mapper,
      List<byte[]> inputs,
      Duration budget,
      int maxRounds) {
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    int evaluations = 0;
    int events = 0;
    Instant arrival = Instant.now();
    for (int round = 0; round < maxRounds && System.nanoTime() < deadline; round++) {
      for (byte[] input : inputs) {
        DecodedBatch batch;
        try {
          batch = decoder.decode(input, arrival);
        } catch (InvalidEventException | RuntimeException e) {
          continue; // a case about refused input
        }
        for (ChangeEvent e : batch.events()) {
          if (round == 0) {
            events++;
          }
          try {
            byte[] change = ChangeRecord.event("warm-up", e, arrival, null).write(mapper);
            ChangeEvent back = ChangeRecord.read(change, mapper).event();
            DecisionRecord d = evaluator.rehearse(back, arrival);
            mapper.writeValueAsBytes(d);
            evaluations++;
          } catch (IOException x) {
            throw new UncheckedIOException(x);
          } catch (RuntimeException x) {
            // A rule failing on a test event is the test suite's to report, not the warm-up's.
          }
        }
      }
    }
    return new Result(events, evaluations, (System.nanoTime() - start) / 1_000_000);
  }
}
