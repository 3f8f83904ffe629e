package dev.portcullis.enforce.revert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.config.DnsConfig;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.enrich.route53.RecordSet;
import dev.portcullis.enrich.route53.RecordSetKey;
import dev.portcullis.enrich.route53.Route53Lookups;
import dev.portcullis.enrich.route53.Route53Names;
import dev.portcullis.enrich.route53.WeightShiftFacts;
import dev.portcullis.enrich.route53.WeightedRecordSets;
import dev.portcullis.enrich.s3.S3Access;
import dev.portcullis.enrich.s3.S3Config;
import dev.portcullis.event.Actor;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.s3.LifecycleConfiguration;
import dev.portcullis.event.s3.S3Requests;
import dev.portcullis.identity.Globs;
import dev.portcullis.policy.ChangeEvaluator;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.DecisionRecord;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.Severity;
import dev.portcullis.protect.ProtectionParameters;
import dev.portcullis.protect.ProtectionState;
import dev.portcullis.protect.S3ProtectionFacts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Automatic revert of risky cloud changes, for policies an operator opted in ({@code
 * portcullis.revert.policies}) and only for their decisions whose effective action is {@code
 * block}: an operator override to {@code alert} or {@code audit}, an exception, a failed or dry-run
 * request, and {@code POST /v1/evaluate} or admission never revert anything.
 *
 * <p>In: each change event the stream decided, with its decision record and the state of the
 * event's scope ({@link #prepare}, called by the stream's judge right after evaluation, so the
 * state it reads (the weights before the shift, the lifecycle configuration before the change) is
 * the state as of this event). {@link #run} then makes the calls at once, on the stream task that
 * owns the resource's scope (so reverts of one resource never race each other, on any instance),
 * and records what it did in that state, which is committed with the decision and the revert
 * records in one Kafka transaction. Out: one decision record per revert (source {@value #SOURCE},
 * keyed {@code <event id>/revert/<policy id>}, so a redelivery gives the same key), done, dry run,
 * skipped or failed, with a sentence saying what was put back or why not, and the API calls; metric
 * {@code portcullis.reverts{policy,result,reason}}.
 *
 * <p>Idempotent: a revert is judged against the state the event describes (the current
 * configuration is read first and only changed while it still is what the event set); a revert
 * already recorded in the scope's {@link RevertMemory} is not run again; a change Portcullis made
 * itself (its user agent, {@code portcullis.revert.own-principals}) is never reverted; a change an
 * IaC identity keeps re-applying is reverted at most {@code portcullis.revert.iac.max-reverts}
 * times per window, then left alone with an alert. A crash between the calls and the commit makes
 * the stream judge the event again; the revert then finds the resource already put back (external
 * calls are at least once, made idempotent this way).
 */
@Startup // built at start-up, so the opt-in (or a policy named by mistake) is logged at once
@ApplicationScoped
public class Reverts {

  /** Source of revert records on the decisions topic. */
  public static final String SOURCE = "portcullis-revert";

  /** The {@code rule} field of revert decisions. */
  public static final String RULE = "automatic revert";

  /** {@code details.alertScope} of revert records: alerted apart from the finding they follow. */
  public static final String SCOPE_REVERT = "revert";

  /** {@code details.alertScope} of the "IaC keeps re-applying this" alert. */
  public static final String SCOPE_IAC = "iac-reapply";

  static final String ETCD = S3ProtectionFacts.POLICY;
  static final String DNS = WeightShiftFacts.POLICY;

  /** The policies an automatic revert exists for. */
  public static final Set<String> SUPPORTED = Set.of(ETCD, DNS);

  private static final Logger LOG = Logger.getLogger(Reverts.class);

  /** How many protected keys a decision's details name at most ({@code ProtectedObjectAtRisk}). */
  private static final int DETAILS_KEYS = 10;

  /** One revert, prepared when its event was judged. */
  public static final class Job {
    final String id;
    final String policy;
    final ChangeEvent event;
    final DecisionRecord record;
    final List<Decision> decisions;
    final Object plan;
    final RevertOutcome preset;
    final String resource;
    final String iacIdentity;
    final String iacTool;
    final boolean own;

    Job(
        String policy,
        ChangeEvent event,
        DecisionRecord record,
        List<Decision> decisions,
        Object plan,
        RevertOutcome preset,
        String resource,
        String iacIdentity,
        String iacTool,
        boolean own) {
      this.id = event.getId() + "/revert/" + policy;
      this.policy = policy;
      this.event = event;
      this.record = record;
      this.decisions = List.copyOf(decisions);
      this.plan = plan;
      this.preset = preset;
      this.resource = resource;
      this.iacIdentity = iacIdentity;
      this.iacTool = iacTool;
      this.own = own;
    }

    /** The id of its decision record: {@code <event id>/revert/<policy id>}. */
    public String id() {
      return id;
    }
  }

  private final RevertConfig config;
  private final S3Config s3Config;
  private final DnsConfig dnsConfig;
  private final ChangeEvaluator evaluator;
  private final MeterRegistry registry;
  private final Set<String> enabled;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Clock clock = Clock.systemUTC();
  private S3Client s3;
  private Route53Client route53;

  @Inject
  public Reverts(
      RevertConfig config,
      S3Config s3Config,
      DnsConfig dnsConfig,
      ChangeEvaluator evaluator,
      MeterRegistry registry) {
    this.config = config;
    this.s3Config = s3Config;
    this.dnsConfig = dnsConfig;
    this.evaluator = evaluator;
    this.registry = registry;
    Set<String> wanted = new LinkedHashSet<>();
    for (String p : config.policies().orElse(List.of())) {
      String id = p.trim();
      if (id.isEmpty()) {
        continue;
      }
      if (SUPPORTED.contains(id)) {
        wanted.add(id);
      } else {
        LOG.warnf(
            "portcullis.revert.policies names %s, for which Portcullis has no automatic revert"
                + " (it has one for %s): ignored",
            id, SUPPORTED);
      }
    }
    this.enabled = Set.copyOf(wanted);
    if (!enabled.isEmpty()) {
      LOG.infof(
          "Automatic reverts on for %s%s; IaC identities at most %d times per %s",
          enabled,
          config.dryRun() ? " (DRY RUN: calls are logged, not made)" : "",
          config.iac().maxReverts(),
          config.iac().window());
    }
  }

  /** True when some policy's block decisions are reverted. */
  public boolean active() {
    return !enabled.isEmpty();
  }

  // ---- preparing (on the stream task, right after evaluation) ----

  /**
   * The reverts an event's decisions ask for: one per opted-in policy with a {@code block} decision
   * on a cloud change that took effect; empty otherwise (the usual case, at once). Never throws: a
   * failure to prepare is logged and counted, and nothing is reverted.
   */
  public List<Job> prepare(ChangeEvent e, DecisionRecord record, StateStore state) {
    if (enabled.isEmpty() || record.decisions().isEmpty()) {
      return List.of();
    }
    try {
      if (!ChangeEvent.CLOUDTRAIL.equals(e.getSource()) || !e.isEffectiveWrite()) {
        return List.of(); // failed, dry-run or read-only requests changed nothing
      }
      Map<String, List<Decision>> blocking = new LinkedHashMap<>();
      for (Decision d : record.decisions()) {
        if (d.action() == Enforcement.BLOCK && enabled.contains(d.policy())) {
          blocking.computeIfAbsent(d.policy(), k -> new ArrayList<>()).add(d);
        }
      }
      List<Job> jobs = new ArrayList<>();
      blocking.forEach((policy, ds) -> jobs.add(job(policy, e, record, ds, state)));
      return jobs;
    } catch (RuntimeException ex) {
      LOG.errorf(ex, "Could not prepare the revert of event %s", e.getId());
      count("unknown", RevertOutcome.Status.FAILED, RevertOutcome.INTERNAL_ERROR);
      return List.of();
    }
  }

  private Job job(
      String policy, ChangeEvent e, DecisionRecord record, List<Decision> ds, StateStore state) {
    Actor a = e.getActor();
    String iacTool = null;
    String identity = null;
    String glob = iacGlob(a);
    if (a.getIacTool() != null || a.getType() == Actor.Type.IAC || glob != null) {
      identity = a.getSessionIssuer() != null ? a.getSessionIssuer() : a.getPrincipal();
      iacTool = a.getIacTool() != null ? a.getIacTool() : "IaC identity " + glob;
    }
    boolean own = own(a);
    Object plan;
    RevertOutcome preset = null;
    String resource;
    if (policy.equals(ETCD)) {
      String bucket = e.getTarget().getBucket();
      switch (e.getAction()) {
        case "PutBucketLifecycle" -> {
          ProtectionState ps = state.of(ProtectionState.class, ProtectionState::new);
          Set<String> refs = new LinkedHashSet<>();
          for (Decision d : ds) {
            Object r = d.details() == null ? null : d.details().get("lifecycleRule");
            if (r != null) {
              refs.add(r.toString());
            }
          }
          plan =
              new S3Reverts.LifecyclePlan(
                  bucket,
                  who(a),
                  e.getId(),
                  LifecycleConfiguration.configuration(e.getRequest()),
                  ps.lifecycleBefore(bucket, e.getId()).orElse(null),
                  refs);
          resource = "the lifecycle configuration of bucket " + bucket;
        }
        case "DeleteObject", "DeleteObjects" -> {
          Set<String> keys = new LinkedHashSet<>();
          boolean named = true;
          for (Decision d : ds) {
            Map<String, Object> det = d.details() == null ? Map.of() : d.details();
            if (!"key".equals(det.get("reach"))) {
              named = false; // CloudTrail did not record the keys: the decision names globs
            } else if (det.get("protectedKeys") instanceof List<?> l) {
              l.forEach(k -> keys.add(String.valueOf(k)));
            }
          }
          List<String> requested = S3Requests.deletedKeys(e.getRequest());
          JsonNode params = evaluator.parameters().get(ETCD);
          if (named && requested != null && keys.size() >= DETAILS_KEYS && params != null) {
            // A decision names at most 10 keys: take the rest from the request, by the patterns.
            ProtectionParameters pp = ProtectionParameters.of(params);
            for (String k : requested) {
              if (pp.protectedKeys().stream().anyMatch(g -> g.appliesTo(bucket) && g.matches(k))) {
                keys.add(k);
              }
            }
          }
          List<String> list = new ArrayList<>(keys);
          if (list.size() > config.maxObjects()) {
            list = list.subList(0, config.maxObjects());
          }
          JsonNode resp = e.getResponse();
          String marker =
              resp != null && "true".equalsIgnoreCase(resp.path("x-amz-delete-marker").asText())
                  ? textOrNull(resp.get("x-amz-version-id"))
                  : null;
          plan =
              new S3Reverts.ObjectsPlan(
                  bucket,
                  who(a),
                  List.copyOf(list),
                  e.getEventTime(),
                  e.getAction().equals("DeleteObject") ? marker : null,
                  textOrNull(e.getRequest().get("versionId")));
          resource =
              list.size() == 1
                  ? "s3://" + bucket + "/" + list.get(0)
                  : "objects of bucket " + bucket;
          if (!named || list.isEmpty()) {
            preset =
                RevertOutcome.skipped(
                    RevertOutcome.NOT_SUPPORTED,
                    "Portcullis did not restore the objects "
                        + who(a)
                        + " deleted from bucket "
                        + bucket
                        + ": CloudTrail does not record which keys "
                        + e.getAction()
                        + " removed, so check them by hand",
                    Map.of("bucket", bucket));
          }
        }
        default -> {
          plan = null;
          resource = "bucket " + bucket;
          preset = unsupported(e, "bucket " + bucket);
        }
      }
    } else {
      List<Route53Reverts.Group> groups = new ArrayList<>();
      String zone = null;
      WeightedRecordSets ws = state.of(WeightedRecordSets.class, WeightedRecordSets::new);
      Set<RecordSetKey> keys = new LinkedHashSet<>();
      for (Decision dec : ds) {
        Map<String, Object> det = dec.details() == null ? Map.of() : dec.details();
        Object z = det.get("hostedZoneId");
        Object n = det.get("recordName");
        Object t = det.get("recordType");
        if (z != null && n != null && t != null) {
          keys.add(
              new RecordSetKey(
                  z.toString(),
                  Route53Names.normalise(n.toString()),
                  t.toString().toUpperCase(java.util.Locale.ROOT)));
        }
      }
      for (RecordSetKey k : keys) {
        zone = k.zoneId();
        Optional<WeightedRecordSets.Snapshot> before = ws.previous(k);
        Optional<WeightedRecordSets.Snapshot> after = ws.current(k);
        if (before.isEmpty()
            || after.isEmpty()
            || !e.getId().equals(before.get().eventId())
            || !e.getId().equals(after.get().eventId())) {
          preset =
              RevertOutcome.skipped(
                  RevertOutcome.LATER_CHANGE,
                  "Portcullis did not revert the weights of "
                      + k.describe()
                      + ": it had already seen a newer change of that record before this one",
                  Map.of("hostedZoneId", k.zoneId(), "records", List.of(k.lookupKey())));
          break;
        }
        if (!before.get().unknown().isEmpty()) {
          preset =
              RevertOutcome.skipped(
                  RevertOutcome.PREVIOUS_UNKNOWN,
                  "Portcullis did not revert the weights of "
                      + k.describe()
                      + ": the weights of "
                      + String.join(", ", before.get().unknown())
                      + " before "
                      + who(a)
                      + "'s change are not known",
                  Map.of("hostedZoneId", k.zoneId(), "records", List.of(k.lookupKey())));
          break;
        }
        groups.add(
            new Route53Reverts.Group(
                k, before.get().weights(), after.get().weights(), deletedSets(e, k)));
      }
      if (keys.isEmpty()) {
        preset = unsupported(e, "record sets");
      }
      plan = new Route53Reverts.WeightsPlan(zone, who(a), e.getId(), List.copyOf(groups));
      resource =
          keys.isEmpty()
              ? "DNS records"
              : "DNS record "
                  + String.join(", ", keys.stream().map(RecordSetKey::describe).toList());
    }
    return new Job(policy, e, record, ds, plan, preset, resource, identity, iacTool, own);
  }

  /** The record sets the event's batch deleted from this group, by member. */
  private static Map<String, JsonNode> deletedSets(ChangeEvent e, RecordSetKey k) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    JsonNode batch = e.getRequest().path("changeBatch");
    if (batch.isMissingNode()) {
      batch = e.getRequest().path("ChangeBatch");
    }
    JsonNode changes = batch.has("changes") ? batch.get("changes") : batch.path("Changes");
    Iterable<JsonNode> items = changes.isArray() ? changes : List.of(changes);
    for (JsonNode c : items) {
      String action = c.path("action").asText(c.path("Action").asText(""));
      JsonNode rrs =
          c.has("resourceRecordSet") ? c.get("resourceRecordSet") : c.get("ResourceRecordSet");
      RecordSet r = RecordSet.of(rrs);
      if ("DELETE".equalsIgnoreCase(action)
          && r != null
          && r.isWeighted()
          && r.name().equals(k.name())
          && r.type().equals(k.type())) {
        out.put(r.member(), rrs);
      }
    }
    return out;
  }

  private static RevertOutcome unsupported(ChangeEvent e, String what) {
    return RevertOutcome.skipped(
        RevertOutcome.NOT_SUPPORTED,
        "Portcullis has no automatic revert for "
            + e.getAction()
            + " ("
            + what
            + "): put it right by hand",
        Map.of());
  }

  private String iacGlob(Actor a) {
    List<String> globs = new ArrayList<>();
    for (JsonNode p : evaluator.parameters().values()) {
      for (JsonNode g : p.path("iacPrincipals")) {
        if (g.isTextual()) {
          globs.add(g.asText());
        }
      }
    }
    String g = Globs.firstMatch(globs, a.getPrincipal());
    return g != null ? g : Globs.firstMatch(globs, a.getSessionIssuer());
  }

  private boolean own(Actor a) {
    String ua = a.getUserAgent();
    if (ua != null && !config.userAgent().isBlank() && ua.contains(config.userAgent())) {
      return true;
    }
    List<String> globs = config.ownPrincipals().orElse(List.of());
    return Globs.matchesAny(globs, a.getPrincipal())
        || Globs.matchesAny(globs, a.getSessionIssuer());
  }

  private static String who(Actor a) {
    return a.getName() != null ? a.getName() : a.getPrincipal();
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() || !n.isValueNode() || n.asText().isEmpty() ? null : n.asText();
  }

  // ---- running (on the stream task that owns the resource's scope) ----

  /**
   * Runs the reverts now and returns their decision records, in order (none for a revert already
   * recorded in this scope). Never throws: a revert that fails is recorded as failed.
   */
  public List<DecisionRecord> run(List<Job> jobs, StateStore state) {
    List<DecisionRecord> out = new ArrayList<>();
    for (Job j : jobs) {
      RevertOutcome o;
      try {
        o = run(j, state);
      } catch (RuntimeException ex) {
        LOG.errorf(ex, "Revert %s failed unexpectedly", j.id);
        o =
            RevertOutcome.failed(
                RevertOutcome.INTERNAL_ERROR,
                "Portcullis could not revert " + j.resource + ": " + ex,
                Map.of());
      }
      if (o == null) {
        continue; // recorded already
      }
      count(j.policy, o.status(), o.reason());
      out.add(record(j, o));
    }
    return out;
  }

  /**
   * Runs one revert now and returns what happened; null when the scope's memory has it recorded
   * already (a second delivery of the same decision). Makes the cloud calls (or, in a dry run, logs
   * them); writes no record.
   */
  RevertOutcome run(Job j, StateStore state) {
    RevertMemory memory = state.of(RevertMemory.class, RevertMemory::new);
    String done = memory.recorded(j.id);
    if (done != null) {
      LOG.debugf("Revert %s already recorded (%s): not run again", j.id, done);
      return null;
    }
    RevertOutcome o = decide(j, state, memory);
    if (o.status() != RevertOutcome.Status.FAILED) {
      memory.record(j.id, o.status().wire());
    }
    return o;
  }

  private RevertOutcome decide(Job j, StateStore state, RevertMemory memory) {
    if (j.own) {
      return RevertOutcome.skipped(
          RevertOutcome.OWN_CHANGE,
          "Portcullis made this change itself (a revert); it does not revert its own changes",
          Map.of());
    }
    if (j.preset != null) {
      return j.preset;
    }
    String key =
        j.iacIdentity == null ? null : IacReapplyLimit.key(j.policy, j.resource, j.iacIdentity);
    Instant at = j.event.getEventTime();
    IacReapplyLimit iac = memory.iac(config.iac().maxReverts(), config.iac().window());
    if (key != null && !iac.allows(key, at)) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("iacIdentity", j.iacIdentity);
      d.put("iacTool", j.iacTool);
      d.put("resource", j.resource);
      d.put("reverts", iac.count(key, at));
      d.put("window", config.iac().window().toString());
      return RevertOutcome.skipped(
          RevertOutcome.IAC_LIMIT,
          "IaC keeps re-applying this: "
              + j.iacIdentity
              + " ("
              + j.iacTool
              + ") changed "
              + j.resource
              + " again after Portcullis reverted it "
              + iac.count(key, at)
              + " time"
              + (iac.count(key, at) == 1 ? "" : "s")
              + " within "
              + words(config.iac().window())
              + ", so Portcullis stops reverting it: fix the change where the IaC code declares it,"
              + " or waive it with an exception",
          d);
    }
    RevertOutcome o;
    if (j.plan instanceof S3Reverts.LifecyclePlan p) {
      // "Before" is found by the event's place in the bucket's history, so reading it now also
      // sees a revert this instance made of an earlier change (placed right after that change).
      ProtectionState ps = state.of(ProtectionState.class, ProtectionState::new);
      ProtectionState.LifecycleSnapshot before =
          ps.lifecycleBefore(p.bucket(), p.eventId()).orElse(p.previous());
      o =
          s3Reverts()
              .lifecycle(
                  new S3Reverts.LifecyclePlan(
                      p.bucket(), p.who(), p.eventId(), p.configuration(), before, p.offending()));
    } else if (j.plan instanceof S3Reverts.ObjectsPlan p) {
      o = s3Reverts().objects(p);
    } else if (j.plan instanceof Route53Reverts.WeightsPlan p) {
      o = route53Reverts().weights(p);
    } else {
      o = unsupported(j.event, j.resource);
    }
    if (key != null && o.reverted()) {
      iac.record(key, at);
    }
    if (o.status() == RevertOutcome.Status.DONE) {
      remember(j, o, state);
    }
    return o;
  }

  /**
   * Records what a revert did in the state the policies judge by, as a change right after the one
   * it reverted (event time plus 1 ms): the next change of the same resource is then judged against
   * what Portcullis put back, not against the change it took back, even before the revert's own
   * CloudTrail record arrives (minutes later; it then finds the same state and changes nothing).
   */
  private void remember(Job j, RevertOutcome o, StateStore state) {
    Instant at = j.event.getEventTime().plusMillis(1);
    if (j.plan instanceof S3Reverts.LifecyclePlan p && !o.calls().isEmpty()) {
      Map<String, Object> call = o.calls().get(0);
      JsonNode config =
          "DeleteBucketLifecycle".equals(call.get("operation"))
              ? null
              : (JsonNode) call.get("lifecycleConfiguration");
      state.of(ProtectionState.class, ProtectionState::new).lifecycle(p.bucket(), config, at, j.id);
    } else if (j.plan instanceof S3Reverts.ObjectsPlan p) {
      ProtectionState ps = state.of(ProtectionState.class, ProtectionState::new);
      for (Map<String, Object> call : o.calls()) {
        ps.keyPresent(p.bucket(), (String) call.get("key"), at, ProtectionState.Seen.WRITTEN);
      }
    } else if (j.plan instanceof Route53Reverts.WeightsPlan p) {
      WeightedRecordSets ws = state.of(WeightedRecordSets.class, WeightedRecordSets::new);
      for (Route53Reverts.Group g : p.groups()) {
        Map<String, Long> changes = new LinkedHashMap<>();
        Set<String> members = new LinkedHashSet<>(g.before().keySet());
        members.addAll(g.after().keySet());
        for (String m : members) {
          if (!java.util.Objects.equals(g.before().get(m), g.after().get(m))) {
            changes.put(m, g.before().get(m)); // null: the member is gone again
          }
        }
        ws.record(
            g.key(),
            null,
            changes,
            Map.of(),
            new WeightedRecordSets.Snapshot(g.after(), Set.of(), at, j.id),
            at,
            j.id);
      }
    }
  }

  /** A duration in words: {@code 1 hour}, {@code 30 minutes}, {@code 90 seconds}. */
  static String words(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + (s == 3600 ? " hour" : " hours");
    }
    if (s % 60 == 0) {
      return s / 60 + (s == 60 ? " minute" : " minutes");
    }
    return s + (s == 1 ? " second" : " seconds");
  }

  // ---- clients (built on first use, from portcullis.aws.s3.* and portcullis.dns.route53.*) ----

  private synchronized S3Reverts s3Reverts() {
    if (s3 == null) {
      S3ClientBuilder b =
          S3Access.clientBuilder(
              s3Config,
              o -> o.putAdvancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX, userAgent()));
      if (s3Config.endpoint().isEmpty()) {
        // Buckets live in many regions; the client follows S3's redirect to the bucket's region.
        b.crossRegionAccessEnabled(true);
      }
      s3 = b.build();
    }
    return new S3Reverts(s3, config.dryRun(), config.deleteMarkerTolerance());
  }

  private synchronized Route53Reverts route53Reverts() {
    if (route53 == null) {
      route53 =
          Route53Lookups.clientBuilder(
                  dnsConfig.route53(),
                  o -> o.putAdvancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX, userAgent()))
              .build();
    }
    return new Route53Reverts(route53, config.dryRun(), dnsConfig.route53().maxPages());
  }

  private String userAgent() {
    return config.userAgent().isBlank() ? "portcullis-revert" : config.userAgent();
  }

  // ---- records ----

  /** The decision record of one revert. */
  DecisionRecord record(Job j, RevertOutcome o) {
    ChangeEvent e = j.event;
    Decision first = j.decisions.get(0);
    Severity severity = first.severity();
    for (Decision d : j.decisions) {
      if (d.severity() != null && (severity == null || d.severity().compareTo(severity) < 0)) {
        severity = d.severity();
      }
    }
    boolean quiet =
        o.status() == RevertOutcome.Status.SKIPPED
            && (RevertOutcome.ALREADY_REVERTED.equals(o.reason())
                || RevertOutcome.OWN_CHANGE.equals(o.reason()));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("revert", o.status().wire());
    if (!RevertOutcome.NONE.equals(o.reason())) {
      details.put("reason", o.reason());
    }
    details.put("revertOf", e.getId());
    details.put("finding", first.summary());
    if (!o.calls().isEmpty()) {
      details.put("calls", o.calls());
    }
    o.details().forEach(details::putIfAbsent);
    details.put(
        "alertScope", RevertOutcome.IAC_LIMIT.equals(o.reason()) ? SCOPE_IAC : SCOPE_REVERT);
    Decision d =
        new Decision(
            j.policy,
            quiet ? Enforcement.AUDIT : Enforcement.ALERT,
            first.verdict(),
            severity,
            o.summary(),
            "Automatic revert: " + (first.title() == null ? j.policy : first.title()),
            first.runbook(),
            RULE,
            details);
    return DecisionRecord.about(
        e, j.id, SOURCE, clock.instant(), j.record.policyVersion(), List.of(d));
  }

  private void count(String policy, RevertOutcome.Status status, String reason) {
    counters
        .computeIfAbsent(
            policy + "\u0000" + status.wire() + "\u0000" + reason,
            k ->
                Counter.builder("portcullis.reverts")
                    .description("Automatic reverts, by policy, result and reason")
                    .tag("policy", policy)
                    .tag("result", status.wire())
                    .tag("reason", reason)
                    .register(registry))
        .increment();
  }

  @PreDestroy
  void close() {
    synchronized (this) {
      if (s3 != null) {
        s3.close();
      }
      if (route53 != null) {
        route53.close();
      }
    }
  }
}
