package dev.portcullis.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Per-minute readings of this instance's own meters for the console's charts: dead letters written
 * and the decision lag (from the input's arrival in Kafka), sampled every 10 s from the same meters
 * {@code /q/metrics} exports, for the last {@value RecentDecisions#CHART_MINUTES} minutes.
 */
@ApplicationScoped
public class ConsoleSeries {

  /** One minute: dead letters written in it, decisions timed, mean and max lag in ms. */
  public record Minute(long deadLetters, long decided, double lagMeanMs, double lagMaxMs) {}

  @Inject MeterRegistry registry;

  private final Clock clock = Clock.systemUTC();
  private final TreeMap<Long, Minute> minutes = new TreeMap<>();
  private double lastDeadLetters = Double.NaN;
  private long lastCount = -1;
  private double lastTotalMs;

  @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  synchronized void sample() {
    long minute = clock.instant().getEpochSecond() / 60;
    double dead = 0;
    for (Counter c : registry.find("portcullis.dead.letters").counters()) {
      dead += c.count();
    }
    Timer lag = registry.find("portcullis.decision.lag").tag("from", "arrival").timer();
    long count = lag == null ? 0 : lag.count();
    double totalMs = lag == null ? 0 : lag.totalTime(TimeUnit.MILLISECONDS);
    double maxMs = lag == null ? 0 : lag.max(TimeUnit.MILLISECONDS);
    if (lastCount >= 0) {
      long n = Math.max(0, count - lastCount);
      double ms = Math.max(0, totalMs - lastTotalMs);
      long d = Math.max(0, Math.round(dead - lastDeadLetters));
      Minute m = minutes.get(minute);
      if (m == null) {
        m = new Minute(0, 0, 0, 0);
      }
      long decided = m.decided() + n;
      double mean = decided == 0 ? 0 : (m.lagMeanMs() * m.decided() + ms) / decided;
      minutes.put(
          minute,
          new Minute(
              m.deadLetters() + d,
              decided,
              mean,
              n == 0 ? m.lagMaxMs() : Math.max(m.lagMaxMs(), maxMs)));
    }
    lastDeadLetters = dead;
    lastCount = count;
    lastTotalMs = totalMs;
    while (!minutes.isEmpty() && minutes.firstKey() <= minute - RecentDecisions.CHART_MINUTES) {
      minutes.pollFirstEntry();
    }
  }

  /** The minutes sampled so far, oldest first. */
  public synchronized Map<Instant, Minute> minutes() {
    Map<Instant, Minute> out = new LinkedHashMap<>();
    minutes.forEach((m, v) -> out.put(Instant.ofEpochSecond(m * 60), v));
    return out;
  }
}
