package dev.portcullis.inventory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.portcullis.enrich.RateLimiter;
import dev.portcullis.enrich.route53.Route53Lookups;
import dev.portcullis.enrich.route53.Route53Names;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.route53.model.ListHostedZonesResponse;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsRequest;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Reads the weighted record sets of hosted zones: the configured zones, or every zone
 * ListHostedZones returns (at most {@code maxZones}); per zone ListResourceRecordSets page by page
 * (300 a page, at most {@code maxRecordSets}), keeping the weighted ones grouped by name and type.
 * Each call waits for the rate limit (Route53 allows five a second per account).
 */
public final class Route53Inventory {

  /**
   * One weighted group (name, type) of a zone as listed: its members in the shape CloudTrail and
   * the lookups use, so {@link dev.portcullis.enrich.route53.RecordSet#of} reads them.
   */
  public record Group(String zoneId, String name, String type, ArrayNode recordSets) {}

  /** What was read of one zone. */
  public record ZoneReading(
      String zoneId, List<Group> groups, boolean complete, String problem, Instant readAt) {}

  private final Route53Client client;
  private final RateLimiter limiter;
  private final Duration maxWait;
  private final int maxZones;
  private final int maxRecordSets;
  private final AtomicLong calls = new AtomicLong();

  public Route53Inventory(
      Route53Client client,
      RateLimiter limiter,
      Duration maxWait,
      int maxZones,
      int maxRecordSets) {
    this.client = client;
    this.limiter = limiter;
    this.maxWait = maxWait;
    this.maxZones = maxZones;
    this.maxRecordSets = maxRecordSets;
  }

  /** Route53 calls made so far. */
  public long calls() {
    return calls.get();
  }

  /** The zones to read: those given, or every zone of the account, within the bound. */
  public List<String> zones(List<String> configured) {
    List<String> out = new ArrayList<>();
    if (!configured.isEmpty()) {
      configured.forEach(z -> out.add(Route53Names.zoneId(z)));
      return out.subList(0, Math.min(out.size(), maxZones));
    }
    String marker = null;
    do {
      call();
      String m = marker;
      ListHostedZonesResponse page =
          client.listHostedZones(
              x -> {
                x.maxItems("100");
                if (m != null) {
                  x.marker(m);
                }
              });
      for (HostedZone z : page.hostedZones()) {
        if (out.size() < maxZones) {
          out.add(Route53Names.zoneId(z.id()));
        }
      }
      marker = Boolean.TRUE.equals(page.isTruncated()) ? page.nextMarker() : null;
    } while (marker != null && out.size() < maxZones);
    return out;
  }

  /** Reads the weighted groups of one zone. */
  public ZoneReading zone(String zoneId) {
    Map<String, Group> groups = new LinkedHashMap<>();
    int read = 0;
    String name = null;
    String type = null;
    String id = null;
    try {
      while (true) {
        call();
        ListResourceRecordSetsRequest.Builder req =
            ListResourceRecordSetsRequest.builder()
                .hostedZoneId(zoneId)
                .maxItems(String.valueOf(Math.min(300, Math.max(1, maxRecordSets - read))));
        if (name != null) {
          req.startRecordName(name).startRecordType(type);
          if (id != null) {
            req.startRecordIdentifier(id);
          }
        }
        ListResourceRecordSetsResponse page = client.listResourceRecordSets(req.build());
        for (ResourceRecordSet r : page.resourceRecordSets()) {
          read++;
          if (r.weight() == null) {
            continue;
          }
          String n = Route53Names.normalise(r.name());
          String t = r.typeAsString();
          groups
              .computeIfAbsent(
                  n + "/" + t, k -> new Group(zoneId, n, t, JsonNodeFactory.instance.arrayNode()))
              .recordSets()
              .add(Route53Lookups.json(r));
        }
        if (!Boolean.TRUE.equals(page.isTruncated())) {
          return new ZoneReading(zoneId, List.copyOf(groups.values()), true, null, Instant.now());
        }
        if (read >= maxRecordSets) {
          // The last group may be listed in part: leave it out rather than call it complete.
          List<Group> whole = new ArrayList<>(groups.values());
          if (!whole.isEmpty()) {
            whole.remove(whole.size() - 1);
          }
          return new ZoneReading(
              zoneId,
              whole,
              false,
              "more than " + maxRecordSets + " record sets: read in part",
              Instant.now());
        }
        name = page.nextRecordName();
        type = page.nextRecordTypeAsString();
        id = page.nextRecordIdentifier();
      }
    } catch (RuntimeException e) {
      List<Group> whole = new ArrayList<>(groups.values());
      if (!whole.isEmpty()) {
        whole.remove(whole.size() - 1);
      }
      return new ZoneReading(
          zoneId, whole, false, "ListResourceRecordSets: " + e.getMessage(), Instant.now());
    }
  }

  private void call() {
    if (!limiter.acquire(maxWait)) {
      throw new IllegalStateException("Route53 rate limit: no call allowed within " + maxWait);
    }
    calls.incrementAndGet();
  }
}
