package dev.portcullis.enrich.route53;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The parameters of {@code dns-zone-split-brain}: which hosted zones must mirror each other, and
 * the time allowed.
 *
 * <pre>
 * pairs:
 *   - a: {zoneId: Z0BLUE, apex: blue.k8s.example.com}
 *     b: {zoneId: Z0BALANCER, apex: example.com}
 * windowSeconds: 60            # a mirror must follow (or precede) the change within this, event time
 * allowedLatenessSeconds: 300  # how far behind the newest event a late event may still arrive
 * </pre>
 *
 * @param pairs the configured pairs (entries that name no zone id or apex are left out, with a
 *     warning in the log)
 * @param window the mirror window
 * @param lateness the allowed lateness of the stream
 */
public record ZonePairs(List<Pair> pairs, Duration window, Duration lateness) {

  private static final Logger LOG = Logger.getLogger(ZonePairs.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /** Default mirror window, seconds of event time. */
  public static final long DEFAULT_WINDOW_SECONDS = 60;

  /** Default allowed lateness: CloudTrail delivers minutes late and out of order. */
  public static final long DEFAULT_LATENESS_SECONDS = 300;

  /**
   * One side of a pair.
   *
   * @param zoneId bare hosted zone id
   * @param apex the zone's apex, normalised ({@code example.com.})
   */
  public record Side(String zoneId, String apex) {
    /** {@code Z0BALANCER (example.com)}. */
    public String describe() {
      return zoneId + " (" + Route53Names.display(apex) + ")";
    }
  }

  /** Two zones that must hold the same records (relative to their apex). */
  public record Pair(Side a, Side b) {
    /** A stable id of the pair, for state. */
    public String id() {
      return a.zoneId() + "=" + a.apex() + "|" + b.zoneId() + "=" + b.apex();
    }
  }

  /** Reads the policy's parameters; missing keys take the defaults. */
  public static ZonePairs of(JsonNode parameters) {
    List<Pair> pairs = new ArrayList<>();
    JsonNode list = parameters.path("pairs");
    if (list.isArray()) {
      int i = 0;
      for (JsonNode p : list) {
        Side a = side(p.path("a"));
        Side b = side(p.path("b"));
        if (a == null || b == null) {
          warn(
              "dns-zone-split-brain parameter pairs["
                  + i
                  + "] needs a.zoneId, a.apex, b.zoneId"
                  + " and b.apex; it is ignored: "
                  + p);
        } else {
          pairs.add(new Pair(a, b));
        }
        i++;
      }
    }
    return new ZonePairs(
        List.copyOf(pairs),
        Duration.ofSeconds(seconds(parameters.path("windowSeconds"), DEFAULT_WINDOW_SECONDS)),
        Duration.ofSeconds(
            seconds(parameters.path("allowedLatenessSeconds"), DEFAULT_LATENESS_SECONDS)));
  }

  private static Side side(JsonNode n) {
    String zone = Route53Names.zoneId(n.path("zoneId").asText(null));
    String apex = Route53Names.normalise(n.path("apex").asText(null));
    return zone == null || apex == null ? null : new Side(zone, apex);
  }

  private static long seconds(JsonNode n, long otherwise) {
    return n.isNumber() && n.asLong() >= 0 ? n.asLong() : otherwise;
  }

  private static void warn(String message) {
    if (WARNED.add(message)) {
      LOG.warn(message);
    }
  }
}
