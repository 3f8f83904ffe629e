package dev.portcullis.protect;

import dev.portcullis.enrich.s3.S3Access;
import dev.portcullis.enrich.s3.S3ObjectReader;
import dev.portcullis.event.Actor;
import dev.portcullis.event.Outcome;
import dev.portcullis.event.Target;
import dev.portcullis.ingest.DecisionRecordWriter;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.PolicyEngine;
import dev.portcullis.policy.PolicyMetadata;
import dev.portcullis.policy.PolicySet;
import dev.portcullis.policy.Severity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Checks, every {@code portcullis.protection.guard.interval}, that the configured protected objects
 * still exist (S3 HeadObject through the shared bounded {@link S3ObjectReader}, never cached). The
 * moment one is gone, whatever removed it (a lifecycle rule, a person, a script), it writes a
 * critical decision record to the decisions topic: source {@value #SOURCE}, action {@value
 * #MISSING}, policy {@code etcd-control-files}, keyed by an id stable for that object and that
 * disappearance; once per disappearance, not every tick. When the object is back it writes an
 * {@code audit} record, action {@value #RESTORED}, that names the record it resolves.
 *
 * <p>A check that fails (timeout, access denied, rate limit) changes nothing and is counted in
 * {@code portcullis.guard.check.failures}; a record the topic does not take is sent again at the
 * next tick. What it sees is told to the stream ({@link GuardObservations}) when it changes, and
 * recorded as protected keys in the bucket's {@link ProtectionState}, so their buckets count as
 * known to hold protected objects. {@code portcullis.guard.objects} gauges how many objects are
 * present, missing or not yet checked; {@code portcullis.guard.rounds} counts completed rounds.
 */
@ApplicationScoped
@Startup // built at start-up, so its meters exist (at zero) before the first round: alerts see them
public class ProtectedObjectGuard {

  /** Source of the guard's records. */
  public static final String SOURCE = "portcullis-guard";

  /** Action of the record written when an object disappears. */
  public static final String MISSING = "ProtectedObjectMissing";

  /** Action of the record written when it is back. */
  public static final String RESTORED = "ProtectedObjectRestored";

  private static final Logger LOG = Logger.getLogger(ProtectedObjectGuard.class);

  /** What the guard last knew of one object. */
  enum Status {
    UNCHECKED,
    PRESENT,
    MISSING
  }

  static final class Watch {
    final String bucket;
    final String key;

    /** Read without the guard's lock by the gauge. */
    volatile Status status = Status.UNCHECKED;

    S3ObjectReader.Head lastSeen;
    Instant lastSeenAt;
    Instant missingSince;

    /** The id of the record announcing the current disappearance, once the topic took it. */
    String reported;

    Watch(String bucket, String key) {
      this.bucket = bucket;
      this.key = key;
    }

    String uri() {
      return "s3://" + bucket + "/" + key;
    }
  }

  private final List<Watch> watches;
  private final Optional<S3ObjectReader> s3;
  private final DecisionRecordWriter writer;
  private final PolicyEngine engine;
  private final GuardObservations observations;
  private final GuardConfig config;
  private final Counter checkFailures;
  private final Counter rounds;
  private final MeterRegistry registry;
  private final Clock clock = Clock.systemUTC();

  @Inject
  public ProtectedObjectGuard(
      GuardConfig config,
      S3Access access,
      DecisionRecordWriter writer,
      PolicyEngine engine,
      GuardObservations observations,
      MeterRegistry registry) {
    this.config = config;
    this.watches = parse(config.objects().orElse(List.of()));
    this.s3 = access.reader();
    this.writer = writer;
    this.engine = engine;
    this.observations = observations;
    this.registry = registry;
    this.checkFailures =
        Counter.builder("portcullis.guard.check.failures")
            .description("Guard checks of protected objects that S3 did not answer")
            .register(registry);
    this.rounds =
        Counter.builder("portcullis.guard.rounds")
            .description("Rounds in which the guard checked every protected object")
            .register(registry);
    for (Status s : Status.values()) {
      Gauge.builder("portcullis.guard.objects", this, g -> g.count(s))
          .description("Guarded protected objects by what the last check found")
          .tag("status", s.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry);
    }
    if (!watches.isEmpty() && s3.isEmpty()) {
      LOG.warnf(
          "The guard has %d protected objects but S3 access is off"
              + " (portcullis.aws.s3.enabled=false): they are not checked",
          watches.size());
    }
  }

  /** Reads {@code s3://bucket/key} entries; a malformed one stops the start with its text. */
  static List<Watch> parse(List<String> objects) {
    List<Watch> out = new ArrayList<>();
    for (String o : objects) {
      String t = o.trim();
      int slash = t.startsWith("s3://") ? t.indexOf('/', 5) : -1;
      if (slash <= 5 || slash == t.length() - 1) {
        throw new IllegalArgumentException(
            "portcullis.protection.guard.objects: '" + o + "' is not s3://bucket/key");
      }
      out.add(new Watch(t.substring(5, slash), t.substring(slash + 1)));
    }
    return List.copyOf(out);
  }

  private double count(Status s) {
    return watches.stream().filter(w -> w.status == s).count();
  }

  @Scheduled(
      identity = "protected-object-guard",
      every = "${portcullis.protection.guard.interval:PT1M}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      // Not while starting: the decisions channel is wired only once the application runs.
      skipExecutionIf = Scheduled.ApplicationNotRunning.class)
  void tick() {
    check();
  }

  /** Checks every object once. */
  public synchronized void check() {
    if (s3.isEmpty()) {
      return;
    }
    for (Watch w : watches) {
      S3ObjectReader.Read<S3ObjectReader.Head> r = s3.get().headFresh(w.bucket, w.key);
      Instant now = clock.instant();
      if (r.failed()) {
        checkFailures.increment();
        LOG.debugf("Guard check of %s failed: %s", w.uri(), r.failure());
        continue;
      }
      if (r.notFound()) {
        missing(w, now);
      } else {
        present(w, r.value(), now);
      }
    }
    rounds.increment();
  }

  private void missing(Watch w, Instant now) {
    if (w.status != Status.MISSING) {
      w.status = Status.MISSING;
      w.missingSince = now;
      w.reported = null;
      observations.seen(w.bucket, w.key, false, now);
    }
    if (w.reported == null) {
      String id = missingId(w);
      if (send(missingRecord(w, id, now))) {
        w.reported = id;
        LOG.errorf("Protected object %s has disappeared (record %s)", w.uri(), id);
      }
    }
  }

  private void present(Watch w, S3ObjectReader.Head head, Instant now) {
    if (w.status != Status.PRESENT) {
      // Told when the object is first seen and each time it is back, not at every check.
      observations.seen(w.bucket, w.key, true, now);
    }
    if (w.status == Status.MISSING && w.reported != null) {
      if (!send(restoredRecord(w, head, now))) {
        return; // told again at the next tick
      }
      LOG.infof("Protected object %s exists again", w.uri());
    }
    w.status = Status.PRESENT;
    w.lastSeen = head;
    w.lastSeenAt = now;
    w.missingSince = null;
    w.reported = null;
  }

  /** Same object, same last-seen version: same id (a restart that finds it gone says "unseen"). */
  static String missingId(Watch w) {
    String version =
        w.lastSeen == null || w.lastSeen.lastModified() == null
            ? "unseen"
            : String.valueOf(w.lastSeen.lastModified().toEpochMilli());
    return "guard-" + sha256(w.bucket + "/" + w.key).substring(0, 16) + "-" + version;
  }

  private DecisionRecord missingRecord(Watch w, String id, Instant now) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("status", "firing");
    details.put("object", w.uri());
    if (w.lastSeen != null) {
      details.put("lastSeen", String.valueOf(w.lastSeenAt));
      details.put("lastModified", String.valueOf(w.lastSeen.lastModified()));
      details.put("etag", w.lastSeen.etag());
    }
    details.put("missingSince", now.toString());
    String summary =
        "protected object "
            + w.uri()
            + " has disappeared"
            + (w.lastSeen == null
                ? " (the guard has not seen it since it started)"
                : " (last seen " + w.lastSeenAt + ")")
            + ": whatever removed it, restore it before etcd-manager or kOps reads it";
    return record(id, MISSING, w, now, decision(Severity.CRITICAL, summary, details, false));
  }

  private DecisionRecord restoredRecord(Watch w, S3ObjectReader.Head head, Instant now) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("status", "resolved");
    details.put("resolves", w.reported);
    details.put("object", w.uri());
    details.put("missingSince", String.valueOf(w.missingSince));
    details.put("lastModified", String.valueOf(head.lastModified()));
    String summary =
        "protected object " + w.uri() + " exists again (missing since " + w.missingSince + ")";
    return record(
        w.reported + "-restored",
        RESTORED,
        w,
        now,
        decision(Severity.INFO, summary, details, true));
  }

  private Decision decision(
      Severity severity, String summary, Map<String, Object> details, boolean resolve) {
    PolicySet set = engine.isLoaded() ? engine.current() : null;
    PolicyMetadata p = set == null ? null : set.policies().get(S3ProtectionFacts.POLICY);
    Enforcement verdict = p == null ? Enforcement.ALERT : p.enforcement();
    Enforcement action =
        resolve ? Enforcement.AUDIT : p == null ? verdict : engine.effectiveEnforcement(p);
    return new Decision(
        S3ProtectionFacts.POLICY,
        action,
        verdict,
        severity,
        summary,
        p == null ? "Protected S3 objects deleted" : p.title(),
        p == null ? null : p.runbook(),
        "guard",
        details);
  }

  private DecisionRecord record(String id, String action, Watch w, Instant now, Decision d) {
    PolicySet set = engine.isLoaded() ? engine.current() : null;
    return new DecisionRecord(
        id,
        SOURCE,
        now,
        null,
        now,
        now,
        Actor.builder().principal(SOURCE).name(SOURCE).type(Actor.Type.SYSTEM).build(),
        action,
        "s3.amazonaws.com",
        Target.builder().type("AWS::S3::Object").bucket(w.bucket).key(w.key).build(),
        new Outcome(true, null, null, null, false, null),
        set == null ? null : set.version(),
        List.of(d));
  }

  /** Writes a record and waits until the topic has it; false when it did not take it in time. */
  private boolean send(DecisionRecord record) {
    try {
      writer.write(record).get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
      result(record.action(), "written");
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.errorf(
          "Guard record %s was not written, retrying at the next check: %s",
          record.eventId(), e.getCause());
    } catch (TimeoutException e) {
      LOG.errorf(
          "Guard record %s was not acknowledged within %s, retrying at the next check",
          record.eventId(), config.sendTimeout());
    }
    result(record.action(), "failed");
    return false;
  }

  private void result(String action, String result) {
    Counter.builder("portcullis.guard.records")
        .description("Decision records the guard wrote, or failed to write")
        .tag("action", action)
        .tag("result", result)
        .register(registry)
        .increment();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
