package dev.portcullis.policy;

import dev.portcullis.config.PortcullisConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Holds the {@link PolicySet} in force and swaps it when the policies change.
 *
 * <p>Loads {@code portcullis.policy.dir} at start-up, or the bundled policies when that folder does
 * not exist; a folder that does not compile stops the start with every problem listed (running
 * without the policies would let every change through unseen). Later, {@link #reload} (from {@code
 * POST /v1/policies/reload} or the file watcher) compiles the folder again on the caller's thread,
 * off the evaluation path, and swaps the new set in atomically: an evaluation already running keeps
 * the set it took. A folder that does not load is rejected: the previous set stays, the problems
 * are kept for {@code GET /v1/policies}, {@code portcullis.policy.reload.failing} is 1, and a
 * {@link PolicyReloadRejected} event is fired (recorded as an audit decision). Safe for concurrent
 * callers.
 */
@Startup(Interceptor.Priority.PLATFORM_BEFORE + 10)
@ApplicationScoped
public class PolicyEngine {

  private static final Logger LOG = Logger.getLogger(PolicyEngine.class);

  @Inject PortcullisConfig config;
  @Inject MeterRegistry registry;
  @Inject Event<PolicyReloadRejected> rejections;
  @Inject Event<PolicyReloadApplied> applied;

  private final AtomicReference<PolicySet> current = new AtomicReference<>();
  private final Map<String, Counter> reloadCounters = new ConcurrentHashMap<>();
  private final Clock clock = Clock.systemUTC();
  private final Object reloadLock = new Object();
  private volatile String origin;
  private volatile Path directory;
  private volatile ReloadOutcome lastReload;
  private volatile ReloadOutcome lastRejection;
  private volatile List<String> configWarnings = List.of();

  @PostConstruct
  void load() {
    for (Map.Entry<String, Enforcement> o : overrides().entrySet()) {
      if (!o.getValue().isPolicyMode()) {
        throw new IllegalStateException(
            "portcullis.policy.enforcement.\""
                + o.getKey()
                + "\"="
                + o.getValue().wireName()
                + ": an override must be block, alert or audit");
      }
    }
    Path dir = Path.of(config.policy().dir());
    try {
      Map<String, byte[]> files;
      if (Files.isDirectory(dir)) {
        directory = dir.toAbsolutePath().normalize();
        files = PolicySources.fromDirectory(dir);
        origin = directory.toString();
      } else {
        files = PolicySources.bundled();
        origin = "bundled policies (no folder at " + dir.toAbsolutePath().normalize() + ")";
      }
      PolicySet set = compiler().compile(files);
      install(set);
      lastReload =
          new ReloadOutcome(
              ReloadOutcome.Result.LOADED, "startup", set.loadedAt(), set.version(), List.of());
    } catch (PolicyLoadException e) {
      throw new IllegalStateException(
          "Policies in " + dir.toAbsolutePath().normalize() + " do not load:\n" + e.getMessage(),
          e);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read policies: " + e.getMessage(), e);
    }
    Gauge.builder("portcullis.policy.reload.failing", this, e -> e.lastRejection == null ? 0 : 1)
        .description("1 while the last policy reload was rejected (older policies still in force)")
        .register(registry);
    Gauge.builder("portcullis.policy.loaded", this, e -> e.current().policies().size())
        .description("Policies in force")
        .register(registry);
    Gauge.builder("portcullis.policy.warnings", this, e -> e.warnings().size())
        .description("Warnings of the policies in force (lint, unknown fields, expired exceptions)")
        .register(registry);
    // Zero-valued series from start-up, so increase() counts the first reload of each kind too.
    for (String trigger : List.of("api", PolicyWatcher.TRIGGER)) {
      for (ReloadOutcome.Result result : ReloadOutcome.Result.values()) {
        reloadCounter(result, trigger);
      }
    }
  }

  /**
   * The policy files as they are now where the policies come from: the folder, or the bundled ones.
   */
  public Map<String, byte[]> files() throws IOException {
    return directory != null ? PolicySources.fromDirectory(directory) : PolicySources.bundled();
  }

  /**
   * The files' test cases, compiled as {@code portcullis test} compiles them (lint on, the
   * configured exception limit) and run with the standard enrichment answered by each case's mocks.
   */
  public PolicyTestSuite testSuite(Map<String, byte[]> files) {
    return PolicyTestSuite.load(
        files,
        new PolicyCompiler(-1, clock, true, config.policy().exceptions().maxAhead()),
        dev.portcullis.enrich.Enrichment.standard());
  }

  private PolicyCompiler compiler() {
    return new PolicyCompiler(
        config.policy().jittingThreshold(), clock, false, config.policy().exceptions().maxAhead());
  }

  private void install(PolicySet set) {
    current.set(set);
    List<String> unknown = new ArrayList<>();
    for (String id : overrides().keySet()) {
      if (!set.policies().containsKey(id)) {
        unknown.add(
            "portcullis.policy.enforcement.\"" + id + "\": no policy has this id; it does nothing");
      }
    }
    configWarnings = List.copyOf(unknown);
    warnings().forEach(w -> LOG.warnf("policy warning: %s", w));
    LOG.infof(
        "Loaded %d policies %s and %d exceptions from %s (version %s)",
        set.policies().size(),
        set.policies().keySet(),
        set.exceptions().size(),
        origin,
        set.version());
  }

  /**
   * Reads and compiles the policies again and swaps them in when they load.
   *
   * @param trigger what asked for it ({@code api}, {@code file-watcher}); a metric tag
   */
  public ReloadOutcome reload(String trigger) {
    synchronized (reloadLock) {
      Instant at = clock.instant();
      Map<String, byte[]> files;
      try {
        files = files();
      } catch (IOException e) {
        return reject(trigger, at, "?", List.of("cannot read " + origin + ": " + e.getMessage()));
      }
      String version = PolicyCompiler.version(files);
      if (version.equals(current().version()) && lastRejection == null) {
        return record(
            new ReloadOutcome(ReloadOutcome.Result.UNCHANGED, trigger, at, version, List.of()));
      }
      ReloadOutcome rejected = lastRejection;
      if (rejected != null && rejected.version().equals(version)) {
        // The same broken folder again (the watcher and an API call, or a second request): the
        // same answer, recorded on the decisions topic once.
        return record(
            new ReloadOutcome(
                ReloadOutcome.Result.REJECTED, trigger, at, version, rejected.problems()));
      }
      try {
        PolicySet before = current();
        PolicySet set = compiler().compile(files);
        install(set);
        lastRejection = null;
        announce(trigger, at, before, set);
        return record(
            new ReloadOutcome(ReloadOutcome.Result.LOADED, trigger, at, set.version(), List.of()));
      } catch (PolicyLoadException e) {
        return reject(trigger, at, version, e.problems().stream().map(Problem::toString).toList());
      } catch (RuntimeException e) {
        LOG.errorf(e, "Unexpected failure compiling the policies");
        return reject(trigger, at, version, List.of("unexpected failure compiling: " + e));
      }
    }
  }

  private void announce(String trigger, Instant at, PolicySet before, PolicySet after) {
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    after
        .policies()
        .forEach(
            (id, p) -> {
              PolicyMetadata old = before == null ? null : before.policies().get(id);
              if (old == null) {
                added.add(id);
              } else if (!old.equals(p)) {
                changed.add(id);
              }
            });
    List<String> removed = new ArrayList<>();
    if (before != null) {
      before.policies().keySet().stream()
          .filter(id -> !after.policies().containsKey(id))
          .forEach(removed::add);
    }
    try {
      applied.fire(
          new PolicyReloadApplied(
              at,
              trigger,
              origin,
              before == null ? null : before.version(),
              after.version(),
              added,
              removed,
              changed));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Could not record the policy reload");
    }
  }

  private ReloadOutcome reject(String trigger, Instant at, String version, List<String> problems) {
    ReloadOutcome outcome =
        new ReloadOutcome(ReloadOutcome.Result.REJECTED, trigger, at, version, problems);
    lastRejection = outcome;
    record(outcome);
    LOG.errorf(
        "Policy reload rejected; policies at version %s stay in force:%n  %s",
        current().version(), String.join("\n  ", problems));
    try {
      rejections.fire(
          new PolicyReloadRejected(at, trigger, origin, current().version(), version, problems));
    } catch (RuntimeException e) {
      LOG.errorf(e, "Could not record the rejected policy reload");
    }
    return outcome;
  }

  private ReloadOutcome record(ReloadOutcome outcome) {
    lastReload = outcome;
    reloadCounter(outcome.result(), outcome.trigger()).increment();
    return outcome;
  }

  private Counter reloadCounter(ReloadOutcome.Result result, String trigger) {
    return reloadCounters.computeIfAbsent(
        result.wireName() + "\u0000" + trigger,
        k ->
            Counter.builder("portcullis.policy.reloads")
                .description("Policy reload attempts, per result and trigger")
                .tag("result", result.wireName())
                .tag("trigger", trigger)
                .register(registry));
  }

  /** The policies in force now; never null once started. */
  public PolicySet current() {
    return current.get();
  }

  /** Where the policies in force were read from. */
  public String origin() {
    return origin;
  }

  /** The folder the policies are read from, or null when they are the bundled ones. */
  public Path directory() {
    return directory;
  }

  public boolean isLoaded() {
    return current.get() != null;
  }

  /** The last load or reload attempt. */
  public ReloadOutcome lastReload() {
    return lastReload;
  }

  /**
   * The last rejected reload while it is still the latest attempt that changed anything, or null.
   */
  public ReloadOutcome lastRejection() {
    return lastRejection;
  }

  /** Warnings of the policies in force and of their configuration. */
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    PolicySet set = current();
    if (set != null) {
      set.warnings().forEach(w -> out.add(w.toString()));
    }
    out.addAll(configWarnings);
    return out;
  }

  /** Enforcement the operator set per policy id, winning over each policy's own. */
  public Map<String, Enforcement> overrides() {
    return config.policy().enforcement();
  }

  /** The action a policy's findings get now: the operator's override, else its own. */
  public Enforcement effectiveEnforcement(PolicyMetadata p) {
    return overrides().getOrDefault(p.id(), p.enforcement());
  }
}
