package dev.portcullis.enforce.revert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.protect.ProtectionState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reverts of S3 changes for {@code etcd-control-files}, through an S3 client of their own:
 *
 * <ul>
 *   <li>a lifecycle configuration ({@code PutBucketLifecycle}): put back the configuration the
 *       bucket had before, as Portcullis saw it ({@link ProtectionState#lifecycleBefore}), or, when
 *       that is not known, remove only the rules the decision names from the configuration the
 *       event set; an empty result deletes the configuration (S3 takes no empty rule list);
 *   <li>deleted objects ({@code DeleteObject}, {@code DeleteObjects} with recorded keys): remove
 *       the delete marker the delete left, so the version before it is current again (needs a
 *       versioned bucket).
 * </ul>
 *
 * <p>Judged against the state the event describes, never against whatever is there now: the current
 * configuration (GetBucketLifecycleConfiguration) or the key's versions (ListObjectVersions) are
 * read first, and only when they still are what the event made them is anything written. When they
 * already are what the revert would make them, it was reverted before (a redelivery, another
 * instance); anything else is a later change, which is left alone. In a dry run the reads happen
 * and the writes are logged and returned, not made.
 */
final class S3Reverts {

  private static final Logger LOG = Logger.getLogger(S3Reverts.class);

  /**
   * A lifecycle revert.
   *
   * @param bucket the bucket
   * @param who who made the change, for sentences
   * @param eventId the change's event
   * @param configuration the {@code LifecycleConfiguration} the event set
   * @param previous the configuration before it as Portcullis saw it, or null when not known
   * @param offending how the decision names the offending rules ({@code ID} or {@code rule-<n>})
   */
  record LifecyclePlan(
      String bucket,
      String who,
      String eventId,
      JsonNode configuration,
      ProtectionState.LifecycleSnapshot previous,
      Set<String> offending) {}

  /**
   * A revert of deleted objects.
   *
   * @param bucket the bucket
   * @param who who deleted them
   * @param keys the protected keys the decision names
   * @param eventTime when they were deleted
   * @param markerVersionId the version id of the delete marker the event made ({@code
   *     responseElements.x-amz-version-id} of a DeleteObject), or null when not recorded
   * @param requestVersionId the version the request deleted permanently ({@code versionId}), or
   *     null
   */
  record ObjectsPlan(
      String bucket,
      String who,
      List<String> keys,
      Instant eventTime,
      String markerVersionId,
      String requestVersionId) {}

  private final S3Client s3;
  private final boolean dryRun;
  private final Duration markerTolerance;

  S3Reverts(S3Client s3, boolean dryRun, Duration markerTolerance) {
    this.s3 = s3;
    this.dryRun = dryRun;
    this.markerTolerance = markerTolerance;
  }

  // ---- lifecycle ----

  RevertOutcome lifecycle(LifecyclePlan p) {
    List<LifecycleRules.EventRule> set = LifecycleRules.read(p.configuration());
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("bucket", p.bucket());
    if (set.isEmpty()) {
      return RevertOutcome.skipped(
          RevertOutcome.NOT_SUPPORTED,
          "Portcullis did not revert the lifecycle change "
              + p.who()
              + " made to bucket "
              + p.bucket()
              + ": CloudTrail's record of it holds no readable rule",
          d);
    }
    List<LifecycleRules.EventRule> offending =
        set.stream().filter(r -> p.offending().contains(r.ref())).toList();
    d.put("offendingRules", offending.stream().map(LifecycleRules.EventRule::ref).toList());
    // What the revert puts back: the previous configuration (empty: none), or null = the rules
    // the event set without the offending ones (known only once the current rules are read).
    List<LifecycleRules.EventRule> previous = null;
    if (p.previous() != null) {
      previous =
          p.previous().configuration() == null
              ? List.of()
              : LifecycleRules.read(p.previous().configuration());
      d.put("basis", "previous configuration seen by Portcullis");
      d.put("previousEventId", p.previous().eventId());
      d.put("previousSetAt", p.previous().at().toString());
    } else {
      d.put("basis", "offending rules removed from the configuration the event set");
      if (offending.isEmpty()) {
        return RevertOutcome.skipped(
            RevertOutcome.PREVIOUS_UNKNOWN,
            "Portcullis did not revert the lifecycle change "
                + p.who()
                + " made to bucket "
                + p.bucket()
                + ": the configuration before it is not known and the decision names none of"
                + " its rules",
            d);
      }
    }

    Optional<List<LifecycleRule>> current;
    try {
      current = currentLifecycle(p.bucket());
    } catch (SdkException e) {
      return failed(
          d,
          "the lifecycle change " + p.who() + " made to bucket " + p.bucket(),
          "read the bucket's lifecycle configuration",
          e);
    }
    d.put(
        "found",
        current.map(LifecycleRules::json).map(Object.class::cast).orElse("no configuration"));

    if (current.isPresent() && LifecycleRules.same(set, current.get())) {
      Map<String, Object> call;
      String summary;
      String taken =
          offending.isEmpty()
              ? "the change"
              : "rule" + (offending.size() == 1 ? " " : "s ") + refs(offending);
      if (previous != null) {
        if (previous.isEmpty()) {
          call = deleteLifecycle(p.bucket());
          summary =
              did("deleted")
                  + " the lifecycle configuration of bucket "
                  + p.bucket()
                  + ", which had none before "
                  + p.who()
                  + "'s change, taking back "
                  + taken;
        } else {
          List<LifecycleRule> rules = LifecycleRules.sdkRules(previous);
          call = putLifecycle(p.bucket(), rules);
          summary =
              did("put back")
                  + " the lifecycle configuration bucket "
                  + p.bucket()
                  + " had before "
                  + p.who()
                  + "'s change (rules "
                  + LifecycleRules.ids(rules)
                  + "), taking back "
                  + taken;
        }
      } else {
        List<LifecycleRule> matched = LifecycleRules.match(set, current.get());
        List<LifecycleRule> remove = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
          if (p.offending().contains(set.get(i).ref())) {
            remove.add(matched.get(i));
          }
        }
        List<LifecycleRule> keep = LifecycleRules.without(current.get(), remove);
        if (keep.isEmpty()) {
          call = deleteLifecycle(p.bucket());
          summary =
              did("deleted")
                  + " the lifecycle configuration of bucket "
                  + p.bucket()
                  + " that "
                  + p.who()
                  + " set, whose only "
                  + taken
                  + (offending.size() == 1 ? " was" : " were")
                  + " the offending one"
                  + (offending.size() == 1 ? "" : "s")
                  + " (the configuration it replaced is not known)";
        } else {
          call = putLifecycle(p.bucket(), keep);
          summary =
              did("removed")
                  + " lifecycle "
                  + taken
                  + " from bucket "
                  + p.bucket()
                  + " (set by "
                  + p.who()
                  + "; the configuration it replaced is not known), keeping rule"
                  + (keep.size() == 1 ? " " : "s ")
                  + LifecycleRules.ids(keep);
        }
      }
      return make(
          List.of(call),
          summary,
          "the lifecycle change " + p.who() + " made to bucket " + p.bucket(),
          d);
    }

    // Not what the event set: reverted before, or changed since.
    boolean reverted;
    if (previous != null) {
      reverted =
          previous.isEmpty()
              ? current.isEmpty()
              : current.isPresent() && LifecycleRules.same(previous, current.get());
    } else {
      List<LifecycleRules.EventRule> rest =
          set.stream().filter(r -> !p.offending().contains(r.ref())).toList();
      reverted =
          rest.isEmpty()
              ? current.isEmpty()
              : current.isPresent() && LifecycleRules.same(rest, current.get());
    }
    if (reverted) {
      return RevertOutcome.skipped(
          RevertOutcome.ALREADY_REVERTED,
          "Portcullis found the lifecycle change "
              + p.who()
              + " made to bucket "
              + p.bucket()
              + " already reverted: nothing to do",
          d);
    }
    return RevertOutcome.skipped(
        RevertOutcome.LATER_CHANGE,
        "Portcullis left the lifecycle configuration of bucket "
            + p.bucket()
            + " alone: it has changed since "
            + p.who()
            + " set it ("
            + (current.isEmpty()
                ? "it now has none"
                : "it now has rules " + LifecycleRules.ids(current.get()))
            + "), so a later change is in force",
        d);
  }

  /** The bucket's lifecycle rules; empty when it has no configuration. */
  private Optional<List<LifecycleRule>> currentLifecycle(String bucket) {
    try {
      return Optional.of(s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules());
    } catch (S3Exception e) {
      if (e.awsErrorDetails() != null
          && "NoSuchLifecycleConfiguration".equals(e.awsErrorDetails().errorCode())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static Map<String, Object> putLifecycle(String bucket, List<LifecycleRule> rules) {
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("operation", "PutBucketLifecycleConfiguration");
    call.put("bucket", bucket);
    call.put("lifecycleConfiguration", LifecycleRules.json(rules));
    call.put("_rules", rules);
    return call;
  }

  private static Map<String, Object> deleteLifecycle(String bucket) {
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("operation", "DeleteBucketLifecycle");
    call.put("bucket", bucket);
    return call;
  }

  // ---- deleted objects ----

  RevertOutcome objects(ObjectsPlan p) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("bucket", p.bucket());
    d.put("keys", p.keys());
    if (p.requestVersionId() != null) {
      return RevertOutcome.skipped(
          RevertOutcome.NOT_RESTORABLE,
          "Portcullis cannot restore "
              + keysText(p.keys())
              + " in bucket "
              + p.bucket()
              + ": "
              + p.who()
              + " deleted version "
              + p.requestVersionId()
              + " permanently",
          d);
    }
    List<Map<String, Object>> calls = new ArrayList<>();
    List<String> restorable = new ArrayList<>();
    Map<String, String> notes = new LinkedHashMap<>();
    Set<String> reasons = new LinkedHashSet<>();
    for (String key : p.keys()) {
      String[] verdict;
      try {
        verdict = judgeKey(p, key);
      } catch (SdkException e) {
        return failed(
            d,
            "the deletion of " + keysText(p.keys()) + " from bucket " + p.bucket(),
            "list the versions of " + key,
            e);
      }
      if (verdict[0] == null) {
        calls.add(deleteMarker(p.bucket(), key, verdict[1]));
        restorable.add(key);
      } else {
        reasons.add(verdict[0]);
        notes.put(key, verdict[1]);
      }
    }
    if (!notes.isEmpty()) {
      d.put("notRestored", notes);
    }
    if (calls.isEmpty()) {
      String reason = reasons.iterator().next();
      String why = notes.values().iterator().next();
      if (RevertOutcome.ALREADY_REVERTED.equals(reason)) {
        return RevertOutcome.skipped(
            reason,
            "Portcullis found "
                + keysText(p.keys())
                + " in bucket "
                + p.bucket()
                + " there again: nothing to restore",
            d);
      }
      return RevertOutcome.skipped(
          reason,
          "Portcullis did not restore "
              + keysText(p.keys())
              + " in bucket "
              + p.bucket()
              + " after "
              + p.who()
              + " deleted "
              + (p.keys().size() == 1 ? "it" : "them")
              + ": "
              + why,
          d);
    }
    String summary =
        did("restored")
            + " "
            + keysText(restorable)
            + " in bucket "
            + p.bucket()
            + " after "
            + p.who()
            + " deleted "
            + (restorable.size() == 1 ? "it" : "them")
            + ", by removing the delete marker"
            + (restorable.size() == 1 ? "" : "s")
            + " so the previous version is current again"
            + (notes.isEmpty() ? "" : " (" + notes.size() + " more not restored)");
    return make(
        calls,
        summary,
        "the deletion of " + keysText(restorable) + " from bucket " + p.bucket(),
        d);
  }

  /**
   * Whether one key can be restored: {@code [null, markerVersionId]} when its latest version is the
   * event's delete marker; else {@code [reason, why]}.
   */
  private String[] judgeKey(ObjectsPlan p, String key) {
    ListObjectVersionsResponse r = s3.listObjectVersions(b -> b.bucket(p.bucket()).prefix(key));
    List<ObjectVersion> versions = r.versions().stream().filter(v -> key.equals(v.key())).toList();
    List<DeleteMarkerEntry> markers =
        r.deleteMarkers().stream().filter(m -> key.equals(m.key())).toList();
    if (versions.isEmpty()) {
      return new String[] {
        RevertOutcome.NOT_RESTORABLE,
        markers.isEmpty()
            ? "no version of it is left (the bucket is not versioned)"
            : "only delete markers are left of it"
      };
    }
    Optional<ObjectVersion> latestVersion =
        versions.stream().filter(v -> Boolean.TRUE.equals(v.isLatest())).findFirst();
    if (latestVersion.isPresent()) {
      return new String[] {
        RevertOutcome.ALREADY_REVERTED,
        "it exists again (version " + latestVersion.get().versionId() + ")"
      };
    }
    DeleteMarkerEntry latest =
        markers.stream()
            .filter(m -> Boolean.TRUE.equals(m.isLatest()))
            .findFirst()
            .orElse(
                markers.stream()
                    .max(Comparator.comparing(DeleteMarkerEntry::lastModified))
                    .orElse(null));
    if (latest == null) {
      return new String[] {RevertOutcome.LATER_CHANGE, "S3 lists no current version or marker"};
    }
    String recorded = p.markerVersionId();
    if (recorded != null && !recorded.equals("null")) {
      if (!recorded.equals(latest.versionId())) {
        return new String[] {
          RevertOutcome.LATER_CHANGE,
          "its latest delete marker ("
              + latest.versionId()
              + ") is not the one the delete made ("
              + recorded
              + "), so it was changed again later"
        };
      }
      return new String[] {null, latest.versionId()};
    }
    Instant at = latest.lastModified();
    if (at != null
        && (at.isAfter(p.eventTime().plus(markerTolerance))
            || at.isBefore(p.eventTime().minus(markerTolerance)))) {
      return new String[] {
        RevertOutcome.LATER_CHANGE,
        "its latest delete marker is from "
            + at
            + ", not from the delete at "
            + p.eventTime()
            + ", so it was changed again"
      };
    }
    return new String[] {null, latest.versionId()};
  }

  private static Map<String, Object> deleteMarker(String bucket, String key, String versionId) {
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("operation", "DeleteObject");
    call.put("bucket", bucket);
    call.put("key", key);
    call.put("versionId", versionId);
    call.put("removes", "delete marker");
    return call;
  }

  // ---- making the calls ----

  /** Makes the calls (or, in a dry run, logs them) and says so. */
  private RevertOutcome make(
      List<Map<String, Object>> calls, String summary, String context, Map<String, Object> d) {
    List<Map<String, Object>> shown = new ArrayList<>();
    for (Map<String, Object> c : calls) {
      Map<String, Object> s = new LinkedHashMap<>(c);
      s.remove("_rules");
      shown.add(s);
    }
    if (dryRun) {
      shown.forEach(c -> LOG.infof("Revert dry run, not called: %s", c));
      d.put("dryRun", true);
      return RevertOutcome.done(true, summary, shown, d);
    }
    int made = 0;
    for (Map<String, Object> c : calls) {
      try {
        call(c);
        made++;
        LOG.infof("Revert: called %s", shown.get(made - 1));
      } catch (SdkException e) {
        d.put("callsMade", shown.subList(0, made));
        d.put("callFailed", shown.get(made));
        return failed(d, context, "call " + c.get("operation"), e);
      }
    }
    return RevertOutcome.done(false, summary, shown, d);
  }

  @SuppressWarnings("unchecked")
  private void call(Map<String, Object> c) {
    String bucket = (String) c.get("bucket");
    switch ((String) c.get("operation")) {
      case "PutBucketLifecycleConfiguration" -> {
        List<LifecycleRule> rules = (List<LifecycleRule>) c.get("_rules");
        s3.putBucketLifecycleConfiguration(
            b -> b.bucket(bucket).lifecycleConfiguration(l -> l.rules(rules)));
      }
      case "DeleteBucketLifecycle" -> s3.deleteBucketLifecycle(b -> b.bucket(bucket));
      case "DeleteObject" ->
          s3.deleteObject(
              b ->
                  b.bucket(bucket)
                      .key((String) c.get("key"))
                      .versionId((String) c.get("versionId")));
      default -> throw new IllegalStateException("unknown call " + c.get("operation"));
    }
  }

  private String did(String verb) {
    return (dryRun ? "Dry run: Portcullis would have " : "Portcullis ") + verb;
  }

  private static RevertOutcome failed(
      Map<String, Object> d, String context, String what, SdkException e) {
    String why = describe(e);
    d.put("error", why);
    return RevertOutcome.failed(
        RevertOutcome.API_ERROR,
        "Portcullis could not revert " + context + ": it failed to " + what + " (" + why + ")",
        d);
  }

  /** An SDK failure in a few words: S3's status and error code, or the client's message. */
  static String describe(SdkException e) {
    if (e instanceof S3Exception s && s.awsErrorDetails() != null) {
      return "S3 answered "
          + s.statusCode()
          + " "
          + s.awsErrorDetails().errorCode()
          + (s.awsErrorDetails().errorMessage() == null
              ? ""
              : ": " + s.awsErrorDetails().errorMessage());
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static String refs(List<LifecycleRules.EventRule> rules) {
    return String.join(", ", rules.stream().map(LifecycleRules.EventRule::ref).toList());
  }

  private static String keysText(List<String> keys) {
    if (keys.size() == 1) {
      return keys.get(0);
    }
    if (keys.size() == 2) {
      return keys.get(0) + " and " + keys.get(1);
    }
    return keys.get(0) + ", " + keys.get(1) + " and " + (keys.size() - 2) + " more";
  }
}
