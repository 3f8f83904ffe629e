package dev.portcullis.enforce.revert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.route53.RecordSetKey;
import dev.portcullis.enrich.route53.Route53Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jboss.logging.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.AliasTarget;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsRequest;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Reverts of Route53 weight shifts for {@code dns-weight-shift}, through a Route53 client of their
 * own: the weights every member of a weighted record had before the change, as Portcullis knew them
 * ({@link dev.portcullis.enrich.route53.WeightedRecordSets#previous}), put back with one {@code
 * ChangeResourceRecordSets} batch (Route53 applies a batch all or nothing): for a member whose
 * weight changed, a DELETE of its current record set exactly as listed and a CREATE of it with the
 * old weight; for a member the change deleted, a CREATE of the record set the change's DELETE
 * named, with its old weight; for a member the change created, a DELETE of its current record set
 * exactly.
 *
 * <p>The batch is conditional: Route53 refuses a DELETE whose values differ from the current ones
 * and a CREATE of a set that exists, so a change made between the listing and the batch makes the
 * whole batch fail ({@code InvalidChangeBatch}) instead of being overwritten. The members are then
 * listed again; when they differ from the first listing the revert is skipped as a later change.
 *
 * <p>Judged against the state the event describes: the record's members are listed first
 * (ListResourceRecordSets), and only when every member still has the weight the change gave it is
 * the batch sent. When every member already has its old weight, it was reverted before; anything
 * else is a later change, left alone. Only weights are put back: a change that also moved a
 * member's target keeps the new target. In a dry run the listing happens and the batch is logged
 * and returned, not sent.
 */
final class Route53Reverts {

  private static final Logger LOG = Logger.getLogger(Route53Reverts.class);
  private static final int PAGE_SIZE = 100;

  /**
   * One weighted record to put back.
   *
   * @param key zone, name, type
   * @param before each member's weight before the change (members that existed)
   * @param after each member's weight after it (members that exist after)
   * @param deleted the record sets the change deleted, by member, as its DELETE named them
   */
  record Group(
      RecordSetKey key,
      Map<String, Long> before,
      Map<String, Long> after,
      Map<String, JsonNode> deleted) {}

  /**
   * A weight-shift revert.
   *
   * @param zoneId the hosted zone
   * @param who who made the change
   * @param eventId the change's event
   * @param groups the weighted records to put back
   */
  record WeightsPlan(String zoneId, String who, String eventId, List<Group> groups) {}

  private final Route53Client route53;
  private final boolean dryRun;
  private final int maxPages;

  Route53Reverts(Route53Client route53, boolean dryRun, int maxPages) {
    this.route53 = route53;
    this.dryRun = dryRun;
    this.maxPages = Math.max(1, maxPages);
  }

  RevertOutcome weights(WeightsPlan p) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("hostedZoneId", p.zoneId());
    String records = String.join(", ", p.groups().stream().map(g -> describe(g.key())).toList());
    d.put("records", p.groups().stream().map(g -> g.key().lookupKey()).toList());
    Map<RecordSetKey, Map<String, ResourceRecordSet>> live = new LinkedHashMap<>();
    for (Group g : p.groups()) {
      try {
        live.put(g.key(), list(g.key()));
      } catch (SdkException e) {
        return failed(d, p, records, "list the record sets of " + describe(g.key()), e);
      }
    }
    boolean asEventLeftIt = true;
    boolean asBefore = true;
    Map<String, Object> found = new LinkedHashMap<>();
    for (Group g : p.groups()) {
      Map<String, ResourceRecordSet> now = live.get(g.key());
      Map<String, Long> weights = new TreeMap<>();
      now.forEach((m, r) -> weights.put(m, r.weight()));
      found.put(g.key().lookupKey(), weights);
      for (String m : members(g)) {
        Long w = now.containsKey(m) ? now.get(m).weight() : null;
        asEventLeftIt &= Objects.equals(w, g.after().get(m));
        asBefore &= Objects.equals(w, g.before().get(m));
      }
    }
    Map<String, Object> before = new LinkedHashMap<>();
    Map<String, Object> after = new LinkedHashMap<>();
    for (Group g : p.groups()) {
      before.put(g.key().lookupKey(), new TreeMap<>(g.before()));
      after.put(g.key().lookupKey(), new TreeMap<>(g.after()));
    }
    d.put("weightsBefore", one(before));
    d.put("weightsAfterChange", one(after));
    d.put("found", one(found));
    if (!asEventLeftIt) {
      if (asBefore) {
        return RevertOutcome.skipped(
            RevertOutcome.ALREADY_REVERTED,
            "Portcullis found the weights of "
                + records
                + " already back to what they were before "
                + p.who()
                + "'s change: nothing to do",
            d);
      }
      return RevertOutcome.skipped(
          RevertOutcome.LATER_CHANGE,
          "Portcullis left the weights of "
              + records
              + " alone: they have changed since "
              + p.who()
              + "'s change ("
              + weightsText(found)
              + " now), so a later change is in force",
          d);
    }

    List<Change> changes = new ArrayList<>();
    for (Group g : p.groups()) {
      Map<String, ResourceRecordSet> now = live.get(g.key());
      for (String m : members(g)) {
        Long b = g.before().get(m);
        Long a = g.after().get(m);
        if (Objects.equals(a, b)) {
          continue;
        }
        if (b != null && a != null) {
          changes.add(change(ChangeAction.DELETE, now.get(m)));
          changes.add(change(ChangeAction.CREATE, now.get(m).toBuilder().weight(b).build()));
        } else if (b != null) {
          JsonNode old = g.deleted().get(m);
          ResourceRecordSet rrs = old == null ? null : recordSet(old);
          if (rrs == null) {
            return RevertOutcome.skipped(
                RevertOutcome.PREVIOUS_UNKNOWN,
                "Portcullis did not revert the weights of "
                    + describe(g.key())
                    + ": member "
                    + m
                    + " was deleted and its record set is not known",
                d);
          }
          changes.add(change(ChangeAction.CREATE, rrs.toBuilder().weight(b).build()));
        } else {
          changes.add(change(ChangeAction.DELETE, now.get(m)));
        }
      }
    }
    if (changes.isEmpty()) {
      return RevertOutcome.skipped(
          RevertOutcome.ALREADY_REVERTED,
          "Portcullis found nothing to put back in " + records + ": no weight changed",
          d);
    }
    String comment = "Portcullis revert of event " + p.eventId();
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("operation", "ChangeResourceRecordSets");
    call.put("hostedZoneId", p.zoneId());
    Map<String, Object> batch = new LinkedHashMap<>();
    batch.put("comment", comment);
    batch.put("changes", changes.stream().map(Route53Reverts::json).toList());
    call.put("changeBatch", batch);
    String summary =
        (dryRun ? "Dry run: Portcullis would have put back" : "Portcullis put back")
            + " the weights of "
            + records
            + " ("
            + weightsText(p.groups(), true)
            + ") that "
            + p.who()
            + "'s change had made "
            + weightsText(p.groups(), false)
            + ", in one change batch";
    if (dryRun) {
      LOG.infof("Revert dry run, not called: %s", call);
      d.put("dryRun", true);
      return RevertOutcome.done(true, summary, List.of(call), d);
    }
    try {
      ChangeResourceRecordSetsResponse r =
          route53.changeResourceRecordSets(
              b ->
                  b.hostedZoneId(p.zoneId()).changeBatch(c -> c.comment(comment).changes(changes)));
      d.put("changeId", r.changeInfo().id());
      LOG.infof("Revert: called %s (change %s)", call, r.changeInfo().id());
    } catch (SdkException e) {
      d.put("callFailed", call);
      if (e instanceof AwsServiceException s
          && s.awsErrorDetails() != null
          && "InvalidChangeBatch".equals(s.awsErrorDetails().errorCode())) {
        RevertOutcome raced = changedMeanwhile(p, live, records, d);
        if (raced != null) {
          return raced;
        }
      }
      return failed(d, p, records, "call ChangeResourceRecordSets", e);
    }
    return RevertOutcome.done(false, summary, List.of(call), d);
  }

  /**
   * After Route53 refused the batch: a later change when the members now differ from what was
   * listed before the batch (a change slipped in between), else null (the batch itself was wrong).
   */
  private RevertOutcome changedMeanwhile(
      WeightsPlan p,
      Map<RecordSetKey, Map<String, ResourceRecordSet>> listed,
      String records,
      Map<String, Object> d) {
    Map<String, Object> found = new LinkedHashMap<>();
    boolean changed = false;
    for (Group g : p.groups()) {
      Map<String, ResourceRecordSet> now;
      try {
        now = list(g.key());
      } catch (SdkException e) {
        return null;
      }
      Map<String, Long> weights = new TreeMap<>();
      now.forEach((m, r) -> weights.put(m, r.weight()));
      found.put(g.key().lookupKey(), weights);
      changed |= !now.equals(listed.get(g.key()));
    }
    if (!changed) {
      return null;
    }
    d.put("found", one(found));
    return RevertOutcome.skipped(
        RevertOutcome.LATER_CHANGE,
        "Portcullis left the weights of "
            + records
            + " alone: they changed while it was putting back "
            + p.who()
            + "'s change ("
            + weightsText(found)
            + " now), and Route53 refused the revert, so a later change is in force",
        d);
  }

  /** The only value of a map of one entry, else the map (details stay flat for one record). */
  private static Object one(Map<String, Object> byRecord) {
    return byRecord.size() == 1 ? byRecord.values().iterator().next() : byRecord;
  }

  private static Set<String> members(Group g) {
    Set<String> all = new TreeSet<>(g.before().keySet());
    all.addAll(g.after().keySet());
    return all;
  }

  /** The group's weighted members now, by set identifier (every page that still holds it). */
  private Map<String, ResourceRecordSet> list(RecordSetKey k) {
    Map<String, ResourceRecordSet> out = new TreeMap<>();
    String identifier = null;
    for (int page = 0; page < maxPages; page++) {
      ListResourceRecordSetsRequest.Builder req =
          ListResourceRecordSetsRequest.builder()
              .hostedZoneId(k.zoneId())
              .startRecordName(k.name())
              .startRecordType(k.type())
              .maxItems(Integer.toString(PAGE_SIZE));
      if (identifier != null) {
        req.startRecordIdentifier(identifier);
      }
      ListResourceRecordSetsResponse res = route53.listResourceRecordSets(req.build());
      for (ResourceRecordSet r : res.resourceRecordSets()) {
        if (!k.name().equals(Route53Names.normalise(r.name()))
            || !k.type().equals(r.typeAsString())) {
          return out; // ordered listing: past the group
        }
        if (r.weight() != null && r.setIdentifier() != null) {
          out.put(r.setIdentifier(), r);
        }
      }
      if (!Boolean.TRUE.equals(res.isTruncated())
          || !k.name().equals(Route53Names.normalise(res.nextRecordName()))
          || !k.type().equals(res.nextRecordTypeAsString())) {
        return out;
      }
      identifier = res.nextRecordIdentifier();
    }
    throw SdkException.builder()
        .message("more than " + maxPages + " pages of record sets for " + describe(k))
        .build();
  }

  private static Change change(ChangeAction action, ResourceRecordSet rrs) {
    return Change.builder().action(action).resourceRecordSet(rrs).build();
  }

  /** A record set as CloudTrail logs it in a change batch (lowerCamel names). */
  static Map<String, Object> json(Change c) {
    ResourceRecordSet r = c.resourceRecordSet();
    Map<String, Object> rrs = new LinkedHashMap<>();
    rrs.put("name", r.name());
    rrs.put("type", r.typeAsString());
    if (r.setIdentifier() != null) {
      rrs.put("setIdentifier", r.setIdentifier());
    }
    if (r.weight() != null) {
      rrs.put("weight", r.weight());
    }
    if (r.ttl() != null) {
      rrs.put("tTL", r.ttl());
    }
    if (r.hasResourceRecords() && !r.resourceRecords().isEmpty()) {
      rrs.put(
          "resourceRecords",
          r.resourceRecords().stream().map(v -> Map.of("value", v.value())).toList());
    }
    if (r.aliasTarget() != null) {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("hostedZoneId", r.aliasTarget().hostedZoneId());
      a.put("dNSName", r.aliasTarget().dnsName());
      a.put("evaluateTargetHealth", r.aliasTarget().evaluateTargetHealth());
      rrs.put("aliasTarget", a);
    }
    if (r.healthCheckId() != null) {
      rrs.put("healthCheckId", r.healthCheckId());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("action", c.actionAsString());
    out.put("resourceRecordSet", rrs);
    return out;
  }

  /**
   * A weighted record set from CloudTrail's JSON of a change ({@code name}, {@code type}, {@code
   * setIdentifier}, {@code weight}, {@code tTL}, {@code resourceRecords[].value}, {@code
   * aliasTarget}, {@code healthCheckId}; either case); null without name, type or set identifier.
   */
  static ResourceRecordSet recordSet(JsonNode n) {
    String name = text(n, "name", "Name");
    String type = text(n, "type", "Type");
    String id = text(n, "setIdentifier", "SetIdentifier");
    if (name == null || type == null || id == null) {
      return null;
    }
    ResourceRecordSet.Builder b =
        ResourceRecordSet.builder()
            .name(name)
            .type(type.toUpperCase(Locale.ROOT))
            .setIdentifier(id);
    Long weight = number(n, "weight", "Weight");
    if (weight != null) {
      b.weight(weight);
    }
    Long ttl = number(n, "tTL", "ttl", "TTL");
    if (ttl != null) {
      b.ttl(ttl);
    }
    JsonNode records = field(n, "resourceRecords", "ResourceRecords");
    if (records != null && records.isArray() && !records.isEmpty()) {
      List<ResourceRecord> values = new ArrayList<>();
      for (JsonNode r : records) {
        String v = text(r, "value", "Value");
        if (v != null) {
          values.add(ResourceRecord.builder().value(v).build());
        }
      }
      b.resourceRecords(values);
    }
    JsonNode alias = field(n, "aliasTarget", "AliasTarget");
    if (alias != null && alias.isObject()) {
      JsonNode eth = field(alias, "evaluateTargetHealth", "EvaluateTargetHealth");
      b.aliasTarget(
          AliasTarget.builder()
              .hostedZoneId(text(alias, "hostedZoneId", "HostedZoneId"))
              .dnsName(text(alias, "dNSName", "dnsName", "DNSName"))
              .evaluateTargetHealth(eth != null && eth.asBoolean(false))
              .build());
    }
    String hc = text(n, "healthCheckId", "HealthCheckId");
    if (hc != null) {
      b.healthCheckId(hc);
    }
    return b.build();
  }

  private static JsonNode field(JsonNode n, String... names) {
    for (String f : names) {
      JsonNode v = n.get(f);
      if (v != null && !v.isNull() && !v.isMissingNode()) {
        return v;
      }
    }
    return null;
  }

  private static String text(JsonNode n, String... names) {
    JsonNode v = field(n, names);
    return v == null || !v.isValueNode() || v.asText().isBlank() ? null : v.asText();
  }

  private static Long number(JsonNode n, String... names) {
    JsonNode v = field(n, names);
    if (v == null) {
      return null;
    }
    if (v.isNumber()) {
      return v.longValue();
    }
    try {
      return Long.parseLong(v.asText().trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String describe(RecordSetKey k) {
    return k.describe();
  }

  /** {@code blue 100, green 0} per group, before or after the change. */
  private static String weightsText(List<Group> groups, boolean before) {
    List<String> out = new ArrayList<>();
    for (Group g : groups) {
      Map<String, Long> w = before ? g.before() : g.after();
      List<String> parts = new ArrayList<>();
      for (String m : members(g)) {
        parts.add(m + " " + (w.containsKey(m) ? w.get(m) : "absent"));
      }
      out.add(String.join(", ", parts));
    }
    return String.join("; ", out);
  }

  @SuppressWarnings("unchecked")
  private static String weightsText(Map<String, Object> found) {
    List<String> out = new ArrayList<>();
    for (Object v : found.values()) {
      List<String> parts = new ArrayList<>();
      ((Map<String, Long>) v).forEach((m, w) -> parts.add(m + " " + w));
      out.add(parts.isEmpty() ? "no weighted members" : String.join(", ", parts));
    }
    return String.join("; ", out);
  }

  private static RevertOutcome failed(
      Map<String, Object> d, WeightsPlan p, String records, String what, SdkException e) {
    String why;
    if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
      why =
          "Route53 answered "
              + s.statusCode()
              + " "
              + s.awsErrorDetails().errorCode()
              + (s.awsErrorDetails().errorMessage() == null
                  ? ""
                  : ": " + s.awsErrorDetails().errorMessage());
    } else {
      why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    d.put("error", why);
    return RevertOutcome.failed(
        RevertOutcome.API_ERROR,
        "Portcullis could not revert the weights of "
            + records
            + " that "
            + p.who()
            + " changed: it failed to "
            + what
            + " ("
            + why
            + ")",
        d);
  }
}
