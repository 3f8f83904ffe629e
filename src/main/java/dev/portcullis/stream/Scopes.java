package dev.portcullis.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.enrich.route53.Route53Names;
import dev.portcullis.enrich.route53.ZonePairs;
import dev.portcullis.enrich.route53.ZoneSplitBrainFacts;
import dev.portcullis.event.ChangeEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scope of a change event: the key its state lives under, and so the key of the changes topic.
 * All events about one resource share a scope, so they meet in one partition whichever instance
 * owns it, and each instance owns a disjoint share of the state.
 *
 * <ul>
 *   <li>{@code s3:<bucket>}: protected keys, kOps state stores, lifecycle history, reverts;
 *   <li>{@code route53:<zone id>}: weighted record sets and their reverts;
 *   <li>{@code route53-pairs:<zone id>}: zones paired by {@code dns-zone-split-brain} (a change and
 *       its mirror are in different zones), named by the smallest zone id of their connected group;
 *   <li>{@code k8s:<audit id>}: the audit stages of one request;
 *   <li>{@code event:<event id>}: everything else (only the dedup memory, keyed by the event id).
 * </ul>
 *
 * A scope depends on the event's content and the zone pairs in force only: a second delivery of an
 * event lands where the first did. Thread-safe (immutable).
 */
public final class Scopes {

  public static final String S3 = "s3:";
  public static final String ROUTE53 = "route53:";
  public static final String ROUTE53_PAIRS = "route53-pairs:";
  public static final String K8S = "k8s:";
  public static final String EVENT = "event:";

  private final Map<String, String> pairedGroup;

  private Scopes(Map<String, String> pairedGroup) {
    this.pairedGroup = Map.copyOf(pairedGroup);
  }

  /** Scopes for the zone pairs in these parameters of {@code dns-zone-split-brain}. */
  public static Scopes of(Map<String, JsonNode> parameters) {
    JsonNode split = parameters.get(ZoneSplitBrainFacts.POLICY);
    List<ZonePairs.Pair> pairs = split == null ? List.of() : ZonePairs.of(split).pairs();
    // Union-find over the pairs: zones joined by any chain of pairs share one scope.
    Map<String, String> parent = new HashMap<>();
    for (ZonePairs.Pair p : pairs) {
      union(parent, p.a().zoneId(), p.b().zoneId());
    }
    Map<String, String> group = new HashMap<>();
    for (String zone : parent.keySet()) {
      group.put(zone, find(parent, zone));
    }
    return new Scopes(group);
  }

  private static String find(Map<String, String> parent, String z) {
    String p = parent.getOrDefault(z, z);
    if (p.equals(z)) {
      parent.putIfAbsent(z, z);
      return z;
    }
    String root = find(parent, p);
    parent.put(z, root);
    return root;
  }

  private static void union(Map<String, String> parent, String a, String b) {
    String ra = find(parent, a);
    String rb = find(parent, b);
    if (!ra.equals(rb)) {
      // The smaller id names the group, whatever order the pairs are listed in.
      if (ra.compareTo(rb) < 0) {
        parent.put(rb, ra);
      } else {
        parent.put(ra, rb);
      }
    }
  }

  /** The scope of an event. */
  public String of(ChangeEvent e) {
    if (ChangeEvent.K8S_AUDIT.equals(e.getSource())) {
      return K8S + e.getId();
    }
    String bucket = e.getTarget().getBucket();
    if (bucket != null && !bucket.isEmpty()) {
      return S3 + bucket;
    }
    String zone = Route53Names.zoneId(e.getTarget().getHostedZoneId());
    if (zone != null && !zone.isEmpty()) {
      String group = pairedGroup.get(zone);
      return group != null ? ROUTE53_PAIRS + group : ROUTE53 + zone;
    }
    return EVENT + e.getId();
  }

  /** The scope of a hosted zone's state (paired zones share their group's). */
  public String zone(String zoneId) {
    String zone = Route53Names.zoneId(zoneId);
    String group = pairedGroup.get(zone);
    return group != null ? ROUTE53_PAIRS + group : ROUTE53 + zone;
  }

  /** The scope of a bucket's state (the guard's observations, the inventory). */
  public static String bucket(String bucket) {
    return S3 + bucket;
  }
}
