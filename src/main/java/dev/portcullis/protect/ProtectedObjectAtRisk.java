package dev.portcullis.protect;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fact for the rules: what an S3 request does, or would do, to protected objects. Stated by
 * {@link S3ProtectionFacts}; whether it is a violation, how bad, and the sentence saying so are the
 * rules' call (a disabled rule, a transition to a readable storage class, or a noncurrent-version
 * action is stated too, and the rules let it pass).
 *
 * @param action the CloudTrail event name ({@code PutBucketLifecycle}, {@code DeleteObject}, ...)
 * @param bucket the bucket
 * @param ruleId the lifecycle rule's id; null for other requests
 * @param ruleEnabled false for a lifecycle rule whose status is not {@code Enabled}
 * @param prefix the lifecycle rule's prefix ({@code ""}: the whole bucket); null for other requests
 * @param effect what happens: {@code expires}, {@code archives}, {@code expires noncurrent
 *     versions}, {@code archives noncurrent versions}, {@code removes expired delete markers},
 *     {@code aborts incomplete uploads}, {@code deletes}, {@code deletes bucket}, {@code suspends
 *     versioning}
 * @param storageClass where {@code archives} moves objects ({@code GLACIER}, {@code DEEP_ARCHIVE},
 *     {@code STANDARD_IA}, ...); null otherwise
 * @param currentObjects true when the effect touches current objects (not only older versions,
 *     delete markers or unfinished uploads)
 * @param when {@code after 30 days}, {@code on 2026-12-01}, {@code now}
 * @param protectedKeys the protected keys reached: real keys when known (listing, state, the
 *     request), else the patterns narrowed by the prefix ({@code backups/etcd/main/control/...})
 * @param reach {@code key} (the request names it), {@code direct} (the prefix leads to the
 *     pattern), {@code whole bucket}, or {@code through **} (the prefix is absorbed by a {@code
 *     **})
 * @param evidence why the bucket is taken to hold them: {@code request}, {@code pattern}, {@code S3
 *     listing}, {@code seen written}, {@code guarded object}, {@code configured bucket}, {@code
 *     kOps state store}
 * @param objectsReached how many protected objects exist there now per S3; -1 when not looked up
 * @param listingTruncated true when the S3 listing stopped at its bound (more may exist)
 * @param alreadyDue how many reached objects are already older than the rule's days (S3 acts on
 *     them at its next daily run); 0 when not known
 * @param condition why it may not reach them after all, in words ({@code tagged env=tmp}, {@code
 *     larger than 1048576 bytes}, {@code keys not recorded}), or null when it surely does
 * @param lookup the S3 lookup: {@code answered}, {@code failed}, {@code not configured}, {@code not
 *     needed}
 */
public record ProtectedObjectAtRisk(
    String action,
    String bucket,
    String ruleId,
    boolean ruleEnabled,
    String prefix,
    String effect,
    String storageClass,
    boolean currentObjects,
    String when,
    List<String> protectedKeys,
    String reach,
    String evidence,
    int objectsReached,
    boolean listingTruncated,
    int alreadyDue,
    String condition,
    String lookup) {

  public ProtectedObjectAtRisk {
    protectedKeys = List.copyOf(protectedKeys);
  }

  public String getAction() {
    return action;
  }

  public String getBucket() {
    return bucket;
  }

  public String getRuleId() {
    return ruleId;
  }

  public boolean isRuleEnabled() {
    return ruleEnabled;
  }

  public String getPrefix() {
    return prefix;
  }

  public String getEffect() {
    return effect;
  }

  public String getStorageClass() {
    return storageClass;
  }

  public boolean isCurrentObjects() {
    return currentObjects;
  }

  public String getWhen() {
    return when;
  }

  public List<String> getProtectedKeys() {
    return protectedKeys;
  }

  public String getReach() {
    return reach;
  }

  public String getEvidence() {
    return evidence;
  }

  public int getObjectsReached() {
    return objectsReached;
  }

  public boolean isListingTruncated() {
    return listingTruncated;
  }

  public int getAlreadyDue() {
    return alreadyDue;
  }

  public String getCondition() {
    return condition;
  }

  public String getLookup() {
    return lookup;
  }

  /** True when the S3 lookup was asked and did not answer: decided on the event alone. */
  public boolean isLookupFailed() {
    return "failed".equals(lookup);
  }

  /** The facts behind a decision, for its {@code details} (bounded: at most 10 keys). */
  public Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("bucket", bucket);
    if (ruleId != null) {
      d.put("lifecycleRule", ruleId);
      d.put("prefix", prefix);
    }
    d.put("effect", storageClass == null ? effect : effect + " to " + storageClass);
    d.put("when", when);
    d.put(
        "protectedKeys",
        protectedKeys.size() > 10 ? List.copyOf(protectedKeys.subList(0, 10)) : protectedKeys);
    d.put("reach", reach);
    d.put("evidence", evidence);
    if (objectsReached >= 0) {
      d.put("objectsReached", objectsReached);
      if (listingTruncated) {
        d.put("listingTruncated", true);
      }
    }
    if (alreadyDue > 0) {
      d.put("alreadyDue", alreadyDue);
    }
    if (condition != null) {
      d.put("condition", condition);
    }
    d.put("s3Lookup", lookup);
    return d;
  }
}
