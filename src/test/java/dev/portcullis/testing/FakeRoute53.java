package dev.portcullis.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * A FAKE of Amazon Route53's REST/XML API (version 2013-04-01), written from the API reference
 * because no Route53 emulator exists here. Stateful: hosted zones (created with their SOA and NS
 * records, as Route53 does) hold record sets that {@code ChangeResourceRecordSets} changes and
 * {@code ListResourceRecordSets} lists.
 *
 * <ul>
 *   <li>{@code POST /2013-04-01/hostedzone/{Id}/rrset/}: a transactional change batch (all or
 *       nothing): CREATE fails when the set exists, DELETE when it does not or its values differ,
 *       UPSERT writes; weighted and non-weighted sets of one name and type do not mix; names must
 *       be in the zone; weights are 0-255. Answers {@code ChangeInfo} with status PENDING.
 *   <li>{@code GET /2013-04-01/hostedzone/{Id}/rrset?name=&type=&identifier=&maxitems=}: sets
 *       sorted by name with its labels reversed, then type, then set identifier; paged with {@code
 *       IsTruncated}, {@code NextRecordName}, {@code NextRecordType}, {@code NextRecordIdentifier};
 *       {@code maxitems} at most 300; {@code type} without {@code name} is {@code InvalidInput}.
 *   <li>{@code GET /2013-04-01/hostedzone?marker=&maxitems=}: ListHostedZones, zones sorted by id,
 *       {@code maxitems} at most 100 (the default), paged with {@code IsTruncated}, {@code
 *       NextMarker}; a marker that names no zone is {@code InvalidInput}.
 *   <li>Errors as Route53 writes them: {@code ErrorResponse} with {@code Type}, {@code Code},
 *       {@code Message} ({@code NoSuchHostedZone} 404, {@code InvalidInput} 400, {@code Throttling}
 *       400, {@code MissingAuthenticationToken} 403 for an unsigned request, {@code
 *       InvalidChangeBatch} 400 whose message lists every problem of the batch in brackets).
 * </ul>
 *
 * Tests can also make the next requests fail ({@link #failNext}), answer slowly ({@link #delay}),
 * or let another change land just before the next batch ({@link #beforeNextChange}), and count the
 * requests each operation received.
 */
public final class FakeRoute53 implements AutoCloseable {

  /** Route53's XML namespace. */
  public static final String NS = "https://route53.amazonaws.com/doc/2013-04-01/";

  /** One resource record set, as Route53 stores it. */
  public record RecordSet(
      String name,
      String type,
      String setIdentifier,
      Long weight,
      String region,
      String failover,
      Map<String, String> geoLocation,
      Boolean multiValueAnswer,
      Long ttl,
      List<String> values,
      String aliasZoneId,
      String aliasDnsName,
      Boolean evaluateTargetHealth,
      String healthCheckId) {

    /** A weighted alias member, the shape the tests use most. */
    public static RecordSet weightedAlias(String name, String type, String member, long weight) {
      return new RecordSet(
          name,
          type,
          member,
          weight,
          null,
          null,
          null,
          null,
          null,
          List.of(),
          "Z35SXDOTRQ7X7K",
          member + "-lb-1234567890.us-east-1.elb.amazonaws.com",
          true,
          null);
    }

    /** A simple record with values. */
    public static RecordSet simple(String name, String type, long ttl, String... values) {
      return new RecordSet(
          name,
          type,
          null,
          null,
          null,
          null,
          null,
          null,
          ttl,
          List.of(values),
          null,
          null,
          null,
          null);
    }

    boolean routed() {
      return setIdentifier != null;
    }
  }

  private record Key(String reversedName, String type, String setIdentifier)
      implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = reversedName.compareTo(o.reversedName);
      if (c == 0) {
        c = type.compareTo(o.type);
      }
      if (c == 0) {
        c =
            Objects.compare(
                setIdentifier == null ? "" : setIdentifier,
                o.setIdentifier == null ? "" : o.setIdentifier,
                String::compareTo);
      }
      return c;
    }
  }

  private static final class Zone {
    final String id;
    final String apex;
    final TreeMap<Key, RecordSet> sets = new TreeMap<>();

    Zone(String id, String apex) {
      this.id = id;
      this.apex = apex;
    }
  }

  /** An error answer. */
  private static final class Failure extends RuntimeException {
    final int status;
    final String body;

    Failure(int status, String body) {
      super(body, null, false, false);
      this.status = status;
      this.body = body;
    }
  }

  private final HttpServer server;
  private final Map<String, Zone> zones = new ConcurrentHashMap<>();
  private final Deque<Failure> failures = new ArrayDeque<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private volatile Duration delay = Duration.ZERO;
  private final AtomicReference<Runnable> beforeNextChange = new AtomicReference<>();
  private final AtomicInteger changes = new AtomicInteger();

  private FakeRoute53(HttpServer server) {
    this.server = server;
  }

  /** Starts on a free loopback port. */
  public static FakeRoute53 start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      FakeRoute53 fake = new FakeRoute53(server);
      server.createContext("/2013-04-01/hostedzone", fake::handle);
      server.setExecutor(Executors.newFixedThreadPool(4));
      server.start();
      return fake;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the fake Route53", e);
    }
  }

  /** The endpoint to give the SDK client ({@code endpointOverride}). */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Creates a hosted zone with its SOA and NS records, as CreateHostedZone does. */
  public void createZone(String id, String apex) {
    Zone z = new Zone(id, normalise(apex));
    put(
        z,
        RecordSet.simple(z.apex, "NS", 172800, "ns-1536.awsdns-00.co.uk.", "ns-0.awsdns-00.com."));
    put(
        z,
        RecordSet.simple(
            z.apex,
            "SOA",
            900,
            "ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"));
    zones.put(id, z);
  }

  /** Puts record sets straight into a zone (no validation), for setting up a test. */
  public void seed(String zoneId, RecordSet... sets) {
    Zone z = zones.get(zoneId);
    synchronized (z) {
      for (RecordSet s : sets) {
        put(z, s);
      }
    }
  }

  /** The record sets of a zone, in listing order. */
  public List<RecordSet> recordSets(String zoneId) {
    Zone z = zones.get(zoneId);
    synchronized (z) {
      return List.copyOf(z.sets.values());
    }
  }

  /** The next request fails with this Route53 error (e.g. 400 Throttling "Rate exceeded"). */
  public synchronized void failNext(int status, String code, String message) {
    failures.add(
        new Failure(status, errorResponse(status >= 500 ? "Receiver" : "Sender", code, message)));
  }

  /**
   * Runs {@code r} once, when the next change batch has arrived and before it is applied: another
   * writer whose change lands between a client's listing and its batch.
   */
  public void beforeNextChange(Runnable r) {
    beforeNextChange.set(r);
  }

  /** Every answer waits this long first (to make a client time out). */
  public void delay(Duration d) {
    delay = d;
  }

  /**
   * Requests received by operation ({@code ListResourceRecordSets}, {@code
   * ChangeResourceRecordSets}).
   */
  public int calls(String operation) {
    AtomicInteger n = calls.get(operation);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  // ---- HTTP ----

  private void handle(HttpExchange ex) throws IOException {
    int status = 200;
    String body;
    try (ex) {
      try {
        Duration d = delay;
        if (!d.isZero()) {
          Thread.sleep(d.toMillis());
        }
        body = route(ex);
      } catch (Failure f) {
        status = f.status;
        body = f.body;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        status = 500;
        body = errorResponse("Receiver", "InternalFailure", "interrupted");
      } catch (RuntimeException e) {
        status = 400;
        body = errorResponse("Sender", "InvalidInput", String.valueOf(e.getMessage()));
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/xml");
      ex.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private String route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    String[] parts = path.split("/");
    // "", "2013-04-01", "hostedzone", "{Id}", "rrset"
    if (parts.length == 3 && parts[2].equals("hostedzone") && ex.getRequestMethod().equals("GET")) {
      calls.computeIfAbsent("ListHostedZones", k -> new AtomicInteger()).incrementAndGet();
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256 ")) {
        throw new Failure(
            403,
            errorResponse("Sender", "MissingAuthenticationToken", "Missing Authentication Token"));
      }
      return listZones(query(ex.getRequestURI().getRawQuery()));
    }
    if (parts.length < 5 || !parts[4].equals("rrset")) {
      throw new Failure(
          404, errorResponse("Sender", "UnknownOperationException", "no such operation: " + path));
    }
    String operation =
        switch (ex.getRequestMethod()) {
          case "GET" -> "ListResourceRecordSets";
          case "POST" -> "ChangeResourceRecordSets";
          default ->
              throw new Failure(
                  405,
                  errorResponse(
                      "Sender", "UnknownOperationException", "method " + ex.getRequestMethod()));
        };
    calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256 ")) {
      throw new Failure(
          403,
          errorResponse("Sender", "MissingAuthenticationToken", "Missing Authentication Token"));
    }
    synchronized (this) {
      Failure f = failures.poll();
      if (f != null) {
        throw f;
      }
    }
    String zoneId = URLDecoder.decode(parts[3], StandardCharsets.UTF_8);
    Zone zone = zones.get(zoneId);
    if (zone == null) {
      throw new Failure(
          404,
          errorResponse("Sender", "NoSuchHostedZone", "No hosted zone found with ID: " + zoneId));
    }
    if (operation.equals("ListResourceRecordSets")) {
      return list(zone, query(ex.getRequestURI().getRawQuery()));
    }
    byte[] request;
    try (InputStream in = ex.getRequestBody()) {
      request = in.readAllBytes();
    }
    return change(zone, request);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String p : raw.split("&")) {
      int eq = p.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  // ---- ListHostedZones ----

  private String listZones(Map<String, String> q) {
    int max = 100;
    if (q.containsKey("maxitems")) {
      try {
        max = Integer.parseInt(q.get("maxitems"));
      } catch (NumberFormatException e) {
        throw new Failure(
            400, errorResponse("Sender", "InvalidInput", "Invalid maxitems " + q.get("maxitems")));
      }
      if (max < 1 || max > 100) {
        throw new Failure(
            400, errorResponse("Sender", "InvalidInput", "maxitems must be between 1 and 100"));
      }
    }
    List<String> ids = new ArrayList<>(new java.util.TreeSet<>(zones.keySet()));
    int from = 0;
    String marker = q.get("marker");
    if (marker != null && !marker.isEmpty()) {
      from = ids.indexOf(marker);
      if (from < 0) {
        throw new Failure(400, errorResponse("Sender", "InvalidInput", "Invalid marker " + marker));
      }
    }
    int to = Math.min(ids.size(), from + max);
    StringBuilder x = new StringBuilder();
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .append("<ListHostedZonesResponse xmlns=\"")
        .append(NS)
        .append("\"><HostedZones>");
    for (String id : ids.subList(from, to)) {
      Zone z = zones.get(id);
      x.append("<HostedZone><Id>/hostedzone/")
          .append(id)
          .append("</Id><Name>")
          .append(z.apex)
          .append("</Name><CallerReference>fake-")
          .append(id)
          .append("</CallerReference><Config><PrivateZone>false</PrivateZone></Config>")
          .append("<ResourceRecordSetCount>")
          .append(z.sets.size())
          .append("</ResourceRecordSetCount></HostedZone>");
    }
    x.append("</HostedZones>");
    if (marker != null) {
      x.append("<Marker>").append(marker).append("</Marker>");
    }
    x.append("<IsTruncated>").append(to < ids.size()).append("</IsTruncated>");
    if (to < ids.size()) {
      x.append("<NextMarker>").append(ids.get(to)).append("</NextMarker>");
    }
    x.append("<MaxItems>").append(max).append("</MaxItems></ListHostedZonesResponse>");
    return x.toString();
  }

  // ---- ListResourceRecordSets ----

  private String list(Zone zone, Map<String, String> q) {
    String name = q.get("name");
    String type = q.get("type");
    String identifier = q.get("identifier");
    if (type != null && name == null) {
      throw invalidInput("The input is not valid: type given without name");
    }
    if (identifier != null && type == null) {
      throw invalidInput("The input is not valid: identifier given without name and type");
    }
    int max = 300;
    if (q.containsKey("maxitems")) {
      try {
        max = Integer.parseInt(q.get("maxitems"));
      } catch (NumberFormatException e) {
        throw invalidInput(
            "1 validation error detected: Value '"
                + q.get("maxitems")
                + "' at 'maxItems' failed to satisfy constraint: Member must be a number");
      }
      if (max < 1) {
        throw invalidInput(
            "1 validation error detected: Value '"
                + max
                + "' at 'maxItems' failed to satisfy constraint: Member must be at least 1");
      }
      max = Math.min(max, 300);
    }
    List<RecordSet> page = new ArrayList<>();
    RecordSet next = null;
    synchronized (zone) {
      Map<Key, RecordSet> from =
          name == null
              ? zone.sets
              : zone.sets.tailMap(
                  new Key(
                      reverse(normalise(name)),
                      type == null ? "" : type,
                      identifier == null ? "" : identifier),
                  true);
      for (RecordSet s : from.values()) {
        if (page.size() == max) {
          next = s;
          break;
        }
        page.add(s);
      }
    }
    StringBuilder x =
        new StringBuilder(xmlHeader())
            .append("<ListResourceRecordSetsResponse xmlns=\"")
            .append(NS)
            .append("\"><ResourceRecordSets>");
    for (RecordSet s : page) {
      recordSetXml(x, s);
    }
    x.append("</ResourceRecordSets><IsTruncated>").append(next != null).append("</IsTruncated>");
    if (next != null) {
      x.append("<NextRecordName>").append(esc(escapeName(next.name()))).append("</NextRecordName>");
      x.append("<NextRecordType>").append(next.type()).append("</NextRecordType>");
      if (next.setIdentifier() != null) {
        x.append("<NextRecordIdentifier>")
            .append(esc(next.setIdentifier()))
            .append("</NextRecordIdentifier>");
      }
    }
    x.append("<MaxItems>").append(max).append("</MaxItems></ListResourceRecordSetsResponse>");
    return x.toString();
  }

  private static void recordSetXml(StringBuilder x, RecordSet s) {
    x.append("<ResourceRecordSet><Name>")
        .append(esc(escapeName(s.name())))
        .append("</Name><Type>")
        .append(s.type())
        .append("</Type>");
    if (s.setIdentifier() != null) {
      x.append("<SetIdentifier>").append(esc(s.setIdentifier())).append("</SetIdentifier>");
    }
    if (s.weight() != null) {
      x.append("<Weight>").append(s.weight()).append("</Weight>");
    }
    if (s.region() != null) {
      x.append("<Region>").append(esc(s.region())).append("</Region>");
    }
    if (s.geoLocation() != null) {
      x.append("<GeoLocation>");
      s.geoLocation()
          .forEach(
              (k, v) ->
                  x.append('<')
                      .append(k)
                      .append('>')
                      .append(esc(v))
                      .append("</")
                      .append(k)
                      .append('>'));
      x.append("</GeoLocation>");
    }
    if (s.failover() != null) {
      x.append("<Failover>").append(esc(s.failover())).append("</Failover>");
    }
    if (s.multiValueAnswer() != null) {
      x.append("<MultiValueAnswer>").append(s.multiValueAnswer()).append("</MultiValueAnswer>");
    }
    if (s.ttl() != null) {
      x.append("<TTL>").append(s.ttl()).append("</TTL>");
    }
    if (!s.values().isEmpty()) {
      x.append("<ResourceRecords>");
      for (String v : s.values()) {
        x.append("<ResourceRecord><Value>").append(esc(v)).append("</Value></ResourceRecord>");
      }
      x.append("</ResourceRecords>");
    }
    if (s.aliasDnsName() != null) {
      x.append("<AliasTarget><HostedZoneId>")
          .append(esc(s.aliasZoneId()))
          .append("</HostedZoneId><DNSName>")
          .append(esc(normalise(s.aliasDnsName())))
          .append("</DNSName><EvaluateTargetHealth>")
          .append(Boolean.TRUE.equals(s.evaluateTargetHealth()))
          .append("</EvaluateTargetHealth></AliasTarget>");
    }
    if (s.healthCheckId() != null) {
      x.append("<HealthCheckId>").append(esc(s.healthCheckId())).append("</HealthCheckId>");
    }
    x.append("</ResourceRecordSet>");
  }

  // ---- ChangeResourceRecordSets ----

  private String change(Zone zone, byte[] body) {
    Document doc = parse(body);
    Element batch = child(doc.getDocumentElement(), "ChangeBatch");
    Element changeList = batch == null ? null : child(batch, "Changes");
    if (changeList == null) {
      throw invalidInput(
          "1 validation error detected: Value null at 'changeBatch.changes' failed to satisfy constraint: Member must not be null");
    }
    List<String[]> actions = new ArrayList<>();
    List<RecordSet> sets = new ArrayList<>();
    int i = 0;
    for (Element c : children(changeList, "Change")) {
      i++;
      String action = text(c, "Action");
      if (!List.of("CREATE", "DELETE", "UPSERT").contains(action)) {
        throw invalidInput(
            "1 validation error detected: Value '"
                + action
                + "' at 'changeBatch.changes."
                + i
                + ".member.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]");
      }
      RecordSet s = readSet(child(c, "ResourceRecordSet"), i);
      actions.add(new String[] {action});
      sets.add(s);
    }
    if (sets.isEmpty()) {
      throw invalidInput(
          "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    String comment = text(batch, "Comment");
    Runnable racer = beforeNextChange.getAndSet(null);
    if (racer != null) {
      racer.run();
    }
    synchronized (zone) {
      TreeMap<Key, RecordSet> copy = new TreeMap<>(zone.sets);
      List<String> messages = new ArrayList<>();
      for (int n = 0; n < sets.size(); n++) {
        apply(zone, copy, actions.get(n)[0], sets.get(n), messages);
      }
      if (!messages.isEmpty()) {
        // Route53 used to answer <InvalidChangeBatch><Messages>; since 2024 it is a plain
        // ErrorResponse whose message lists every problem in brackets (as CloudTrail logs it).
        throw new Failure(
            400,
            errorResponse("Sender", "InvalidChangeBatch", "[" + String.join(", ", messages) + "]"));
      }
      zone.sets.clear();
      zone.sets.putAll(copy);
    }
    String id = String.format(Locale.ROOT, "C%012dFAKE", changes.incrementAndGet());
    StringBuilder x =
        new StringBuilder(xmlHeader())
            .append("<ChangeResourceRecordSetsResponse xmlns=\"")
            .append(NS)
            .append("\"><ChangeInfo><Id>/change/")
            .append(id)
            .append("</Id><Status>PENDING</Status><SubmittedAt>")
            .append(Instant.now().truncatedTo(ChronoUnit.MILLIS))
            .append("</SubmittedAt>");
    if (comment != null) {
      x.append("<Comment>").append(esc(comment)).append("</Comment>");
    }
    return x.append("</ChangeInfo></ChangeResourceRecordSetsResponse>").toString();
  }

  private static void apply(
      Zone zone, TreeMap<Key, RecordSet> sets, String action, RecordSet s, List<String> messages) {
    String what =
        "[name='"
            + escapeName(s.name())
            + "', type='"
            + s.type()
            + "'"
            + (s.setIdentifier() == null ? "" : ", set-identifier='" + s.setIdentifier() + "'")
            + "]";
    if (!s.name().equals(zone.apex) && !s.name().endsWith("." + zone.apex)) {
      messages.add(
          "RRSet with DNS name " + escapeName(s.name()) + " is not permitted in zone " + zone.apex);
      return;
    }
    Key key = key(s);
    RecordSet old = sets.get(key);
    switch (action) {
      case "CREATE" -> {
        if (old != null) {
          messages.add("Tried to create resource record set " + what + " but it already exists");
          return;
        }
      }
      case "DELETE" -> {
        if (old == null) {
          messages.add("Tried to delete resource record set " + what + " but it was not found");
        } else if (!sameValues(old, s)) {
          messages.add(
              "Tried to delete resource record set "
                  + what
                  + " but the values provided do not match the current values");
        } else {
          sets.remove(key);
        }
        return;
      }
      default -> {}
    }
    // CREATE or UPSERT: routed and simple sets of one name and type do not mix.
    for (RecordSet other : sets.values()) {
      if (other.name().equals(s.name())
          && other.type().equals(s.type())
          && other.routed() != s.routed()) {
        messages.add(
            "RRSet with DNS name "
                + escapeName(s.name())
                + ", type "
                + s.type()
                + (s.routed()
                    ? ", SetIdentifier "
                        + s.setIdentifier()
                        + " cannot be created as a non-weighted set exists with the same name and type."
                    : " cannot be created as other RRSets exist with the same name and type."));
        return;
      }
    }
    sets.put(key, s);
  }

  private static boolean sameValues(RecordSet a, RecordSet b) {
    return Objects.equals(a.weight(), b.weight())
        && Objects.equals(a.ttl(), b.ttl())
        && a.values().equals(b.values())
        && Objects.equals(
            a.aliasDnsName() == null ? null : normalise(a.aliasDnsName()),
            b.aliasDnsName() == null ? null : normalise(b.aliasDnsName()))
        && Objects.equals(a.region(), b.region())
        && Objects.equals(a.failover(), b.failover());
  }

  private static RecordSet readSet(Element e, int i) {
    if (e == null) {
      throw invalidInput(
          "1 validation error detected: Value null at 'changeBatch.changes."
              + i
              + ".member.resourceRecordSet' failed to satisfy constraint: Member must not be null");
    }
    String name = text(e, "Name");
    String type = text(e, "Type");
    if (name == null || type == null) {
      throw invalidInput("Invalid request: Expected exactly one of [Name, Type] in change " + i);
    }
    Long weight = number(text(e, "Weight"));
    if (weight != null && (weight < 0 || weight > 255)) {
      throw invalidInput(
          "1 validation error detected: Value '"
              + weight
              + "' at 'changeBatch.changes."
              + i
              + ".member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255");
    }
    List<String> values = new ArrayList<>();
    Element records = child(e, "ResourceRecords");
    if (records != null) {
      for (Element r : children(records, "ResourceRecord")) {
        values.add(text(r, "Value"));
      }
    }
    Map<String, String> geo = null;
    Element g = child(e, "GeoLocation");
    if (g != null) {
      geo = new TreeMap<>();
      for (String k : List.of("ContinentCode", "CountryCode", "SubdivisionCode")) {
        if (text(g, k) != null) {
          geo.put(k, text(g, k));
        }
      }
    }
    Element alias = child(e, "AliasTarget");
    String mv = text(e, "MultiValueAnswer");
    return new RecordSet(
        normalise(name),
        type,
        text(e, "SetIdentifier"),
        weight,
        text(e, "Region"),
        text(e, "Failover"),
        geo,
        mv == null ? null : Boolean.valueOf(mv),
        number(text(e, "TTL")),
        Collections.unmodifiableList(values),
        alias == null ? null : text(alias, "HostedZoneId"),
        alias == null ? null : text(alias, "DNSName"),
        alias == null ? null : Boolean.valueOf(text(alias, "EvaluateTargetHealth")),
        text(e, "HealthCheckId"));
  }

  // ---- helpers ----

  private static void put(Zone z, RecordSet s) {
    RecordSet n =
        new RecordSet(
            normalise(s.name()),
            s.type(),
            s.setIdentifier(),
            s.weight(),
            s.region(),
            s.failover(),
            s.geoLocation(),
            s.multiValueAnswer(),
            s.ttl(),
            s.values(),
            s.aliasZoneId(),
            s.aliasDnsName(),
            s.evaluateTargetHealth(),
            s.healthCheckId());
    z.sets.put(key(n), n);
  }

  private static Key key(RecordSet s) {
    return new Key(reverse(s.name()), s.type(), s.setIdentifier() == null ? "" : s.setIdentifier());
  }

  /** Lower case with a final dot; {@code \052} read as {@code *}. */
  static String normalise(String name) {
    String n = name.replace("\\052", "*").toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }

  /** How Route53 writes a name back: {@code *} as {@code \052}. */
  static String escapeName(String name) {
    return name.replace("*", "\\052");
  }

  /** {@code com.example.www.} for {@code www.example.com.}: the listing's sort key. */
  static String reverse(String name) {
    String[] labels = name.substring(0, name.length() - 1).split("\\.");
    StringBuilder sb = new StringBuilder();
    for (int i = labels.length - 1; i >= 0; i--) {
      sb.append(labels[i]).append('.');
    }
    return sb.toString();
  }

  private static Failure invalidInput(String message) {
    return new Failure(400, errorResponse("Sender", "InvalidInput", message));
  }

  private static String errorResponse(String type, String code, String message) {
    return xmlHeader()
        + "<ErrorResponse xmlns=\""
        + NS
        + "\"><Error><Type>"
        + type
        + "</Type><Code>"
        + code
        + "</Code><Message>"
        + esc(message)
        + "</Message></Error><RequestId>"
        + UUID.randomUUID()
        + "</RequestId></ErrorResponse>";
  }

  private static String xmlHeader() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  }

  private static Document parse(byte[] body) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(false);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return f.newDocumentBuilder().parse(new ByteArrayInputStream(body));
    } catch (Exception e) {
      throw new Failure(
          400, errorResponse("Sender", "InvalidInput", "Invalid XML ; " + e.getMessage()));
    }
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }

  private static Long number(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw invalidInput("Value '" + s + "' is not a number");
    }
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
