package dev.portcullis.enforce;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The webhook's counters and timers. Tags have small fixed sets of values (results and reasons from
 * code, policy ids from the policy folder, actions); never a user, a namespace or a name.
 *
 * <ul>
 *   <li>{@code portcullis.admission.reviews{result}}: reviews answered, per result: allowed,
 *       denied, warned (allowed with warnings), error (the failure policy answered, or the input
 *       was rejected with 400/413)
 *   <li>{@code portcullis.admission.errors{reason}}: why: timeout, evaluation-error, overloaded, or
 *       the input's problem (not-json, too-large, unsupported-shape, invalid-record, empty,
 *       https-required)
 *   <li>{@code portcullis.admission.latency{result}}: from the request's arrival to the answer
 *       (histogram)
 *   <li>{@code portcullis.admission.decisions{policy,action}}: the policies' findings at admission
 *   <li>{@code portcullis.admission.records{outcome}}: decision records written (written, failed,
 *       skipped for dry runs)
 * </ul>
 */
@ApplicationScoped
@Startup // built at start-up, so its series exist (at zero) before the first review: alerts see
// them
public class AdmissionMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public AdmissionMetrics(MeterRegistry registry) {
    this.registry = registry;
    // Zero-valued series from start-up, so rate() and increase() count the first review too.
    for (AdmissionAnswer.Result result : AdmissionAnswer.Result.values()) {
      reviews(result.tag());
      latency(result.tag());
    }
    for (String reason :
        List.of(
            AdmissionAnswer.TIMEOUT,
            AdmissionAnswer.EVALUATION_ERROR,
            AdmissionAnswer.OVERLOADED)) {
      errors(reason);
    }
  }

  void answered(AdmissionAnswer.Result result, Duration latency) {
    String tag = result.tag();
    reviews(tag).increment();
    latency(tag).record(latency);
  }

  private Counter reviews(String result) {
    return counter(
        "portcullis.admission.reviews", "Admission reviews answered, per result", "result", result);
  }

  private Timer latency(String result) {
    return timers.computeIfAbsent(
        result,
        t ->
            Timer.builder("portcullis.admission.latency")
                .description("Time from an admission review's arrival to its answer")
                .tag("result", t)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry));
  }

  void error(String reason) {
    errors(reason).increment();
  }

  private Counter errors(String reason) {
    return counter(
        "portcullis.admission.errors",
        "Admission reviews not judged by the policies, per reason",
        "reason",
        reason);
  }

  void decision(String policy, String action) {
    String key = "portcullis.admission.decisions\u0000" + policy + "\u0000" + action;
    counters
        .computeIfAbsent(
            key,
            k ->
                Counter.builder("portcullis.admission.decisions")
                    .description("Policy findings at admission, per policy and effective action")
                    .tag("policy", policy)
                    .tag("action", action)
                    .register(registry))
        .increment();
  }

  void record(String outcome) {
    counter(
            "portcullis.admission.records",
            "Admission decision records for the decisions topic, per outcome",
            "outcome",
            outcome)
        .increment();
  }

  private Counter counter(String name, String description, String tag, String value) {
    return counters.computeIfAbsent(
        name + '\u0000' + value,
        k -> Counter.builder(name).description(description).tag(tag, value).register(registry));
  }
}
