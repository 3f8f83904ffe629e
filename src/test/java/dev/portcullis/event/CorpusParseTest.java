package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.Corpus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every event of the shared corpus of real third-party events ({@code /work/shared/corpus}) goes
 * through {@link EventDecoder}. Each line must become exactly one {@link ChangeEvent}, and the
 * events must keep what the source says: their id, their own time, a sensible actor and no secret
 * material. Failures are reported by line reference ({@code cloudtrail/panther.jsonl#12}).
 */
class CorpusParseTest {

  static final ObjectMapper JSON = new ObjectMapper();

  /** An arrival time no corpus event carries, so a fallback to it is unmistakable. */
  static final Instant ARRIVAL = Instant.parse("2001-02-03T04:05:06Z");

  static final List<String> CLOUDTRAIL_TIME_FIELDS =
      List.of("eventTime", "p_event_time", "@timestamp");
  static final List<String> K8S_TIME_FIELDS =
      List.of("requestReceivedTimestamp", "stageTimestamp", "timestamp", "p_event_time");

  /** One decoded corpus line: its reference, its untouched JSON and the event it became. */
  record Decoded(Corpus.Line line, String kind, ObjectNode original, ChangeEvent event) {
    String file() {
      return line.ref().substring(0, line.ref().indexOf('#'));
    }
  }

  static final List<Decoded> decoded = new ArrayList<>();
  static final List<String> decodeFailures = new ArrayList<>();
  static int lines;

  @BeforeAll
  static void decodeCorpus() throws Exception {
    EventDecoder decoder = new EventDecoder(JSON, 4 * 1024 * 1024);
    for (String kind : List.of("cloudtrail", "k8saudit")) {
      for (Corpus.Line line : Corpus.lines(kind)) {
        lines++;
        ObjectNode original = (ObjectNode) JSON.readTree(line.json());
        try {
          DecodedBatch batch =
              decoder.decode(line.json().getBytes(StandardCharsets.UTF_8), ARRIVAL);
          if (!batch.rejected().isEmpty()) {
            DecodedBatch.Rejected r = batch.rejected().get(0);
            decodeFailures.add(line.ref() + ": rejected " + r.reason() + ": " + r.message());
          } else if (batch.events().size() != 1) {
            decodeFailures.add(line.ref() + ": " + batch.events().size() + " events");
          } else {
            decoded.add(new Decoded(line, kind, original, batch.events().get(0)));
          }
        } catch (Exception e) {
          decodeFailures.add(line.ref() + ": " + e);
        }
      }
    }
  }

  @Test
  void everyLineDecodesIntoExactlyOneEvent() {
    assertThat(decodeFailures).as("lines that did not decode into exactly one event").isEmpty();
    // The corpus as MANIFEST.md describes it: a missing or emptied corpus must not pass quietly.
    assertThat(decoded.stream().filter(d -> d.kind().equals("cloudtrail")).count())
        .isGreaterThanOrEqualTo(1181);
    assertThat(decoded.stream().filter(d -> d.kind().equals("k8saudit")).count())
        .isGreaterThanOrEqualTo(280);
    assertThat(decoded).hasSize(lines);
  }

  /**
   * What {@code portcullis.ingest.require-fields=true} would refuse of the corpus: only records
   * without a field every genuine sender writes (the types are checked in the default mode too, and
   * the whole corpus passes them). Printed by field, as the default stays off for these senders.
   */
  @Test
  void requireFieldsRefusesOnlyRecordsMissingAFieldEverySenderWrites() {
    EventDecoder strict = new EventDecoder(JSON, 4 * 1024 * 1024, true);
    Map<String, Map<String, Integer>> byField = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    int refused = 0;
    for (String kind : List.of("cloudtrail", "k8saudit")) {
      for (Corpus.Line line : Corpus.lines(kind)) {
        try {
          DecodedBatch b = strict.decode(line.json().getBytes(StandardCharsets.UTF_8), ARRIVAL);
          if (b.events().size() != 1 || !b.rejected().isEmpty()) {
            failures.add(line.ref() + ": " + b.events().size() + " events, " + b.rejected());
          }
        } catch (InvalidEventException e) {
          refused++;
          if (!InvalidEventException.MISSING_FIELD.equals(e.reason())) {
            failures.add(line.ref() + ": " + e.reason() + " " + e.getMessage());
          }
          byField.computeIfAbsent(kind, k -> new TreeMap<>()).merge(e.field(), 1, Integer::sum);
        }
      }
    }
    System.out.println(
        "Corpus records require-fields=true would refuse: " + refused + " by field " + byField);
    assertThat(failures).isEmpty();
    assertThat(byField.getOrDefault("cloudtrail", Map.of()).keySet())
        .isSubsetOf("eventSource", "userIdentity");
    assertThat(byField.getOrDefault("k8saudit", Map.of()).keySet())
        .isSubsetOf("auditID", "verb", "user", "stage");
  }

  @Test
  void sourceActionAndServiceComeFromTheRecord() {
    List<String> failures = new ArrayList<>();
    for (Decoded d : decoded) {
      ChangeEvent e = d.event();
      boolean ct = d.kind().equals("cloudtrail");
      String expectedSource = ct ? ChangeEvent.CLOUDTRAIL : ChangeEvent.K8S_AUDIT;
      if (!expectedSource.equals(e.getSource())) {
        failures.add(d.line().ref() + ": source " + e.getSource());
      }
      String expectedAction = text(d.original(), ct ? "eventName" : "verb");
      if (!(expectedAction == null ? "unknown" : expectedAction).equals(e.getAction())) {
        failures.add(d.line().ref() + ": action " + e.getAction() + " for " + expectedAction);
      }
      if (ct && !java.util.Objects.equals(text(d.original(), "eventSource"), e.getService())) {
        failures.add(d.line().ref() + ": service " + e.getService());
      }
      if (!ct
          && java.util.Set.of("get", "list", "watch").contains(e.getAction()) != e.isReadOnly()) {
        failures.add(d.line().ref() + ": readOnly " + e.isReadOnly() + " for " + e.getAction());
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void idsAreTheSourceIdsOrStableContentHashes() throws Exception {
    EventDecoder decoder = new EventDecoder(JSON, 4 * 1024 * 1024);
    List<String> failures = new ArrayList<>();
    Map<String, Decoded> byContentId = new HashMap<>();
    int hashed = 0;
    for (Decoded d : decoded) {
      ChangeEvent e = d.event();
      String sourceId = text(d.original(), d.kind().equals("cloudtrail") ? "eventID" : "auditID");
      if (sourceId != null) {
        if (!sourceId.equals(e.getId()) || e.isIdFromContent()) {
          failures.add(d.line().ref() + ": id " + e.getId() + " instead of " + sourceId);
        }
        continue;
      }
      hashed++;
      if (!e.isIdFromContent() || !e.getId().matches("sha256:[0-9a-f]{64}")) {
        failures.add(d.line().ref() + ": id-less event got id " + e.getId());
        continue;
      }
      // The same event written differently (keys reversed, pretty-printed) keeps its id.
      byte[] rewritten =
          JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(reversed(d.original()));
      String again = decoder.decode(rewritten, ARRIVAL.plusSeconds(60)).events().get(0).getId();
      if (!again.equals(e.getId())) {
        failures.add(d.line().ref() + ": id changed to " + again + " after re-serialising");
      }
      // Different events never share a content id.
      Decoded first = byContentId.putIfAbsent(e.getId(), d);
      if (first != null && !first.original().equals(d.original())) {
        failures.add(d.line().ref() + ": same content id as " + first.line().ref());
      }
    }
    assertThat(failures).isEmpty();
    assertThat(hashed).as("id-less events in the corpus").isPositive();
  }

  @Test
  void eventTimeIsTheRecordsOwnTimeAndFallsBackOnlyWhenThereIsNone() {
    List<String> failures = new ArrayList<>();
    Map<String, Integer> unreadable = new TreeMap<>();
    int fellBack = 0;
    for (Decoded d : decoded) {
      ChangeEvent e = d.event();
      List<String> fields =
          d.kind().equals("cloudtrail") ? CLOUDTRAIL_TIME_FIELDS : K8S_TIME_FIELDS;
      Optional<Instant> own = Optional.empty();
      List<String> present = new ArrayList<>();
      for (String f : fields) {
        String t = text(d.original(), f);
        if (t != null) {
          present.add(t);
          own = readableTime(t);
          if (own.isPresent()) {
            break;
          }
        }
      }
      if (own.isPresent()) {
        if (!own.get().equals(e.getEventTime()) || e.isEventTimeEstimated()) {
          failures.add(
              d.line().ref()
                  + ": event time "
                  + e.getEventTime()
                  + (e.isEventTimeEstimated() ? " (estimated)" : "")
                  + " instead of "
                  + own.get());
        }
        continue;
      }
      fellBack++;
      if (!e.isEventTimeEstimated() || !ARRIVAL.equals(e.getEventTime())) {
        failures.add(d.line().ref() + ": no readable time but got " + e.getEventTime());
      }
      for (String t : present) {
        // A value that looks like a date must have been read; only placeholders may fall back.
        if (t.matches("\\d{4}-\\d{2}-\\d{2}.*")) {
          failures.add(d.line().ref() + ": time " + t + " looks readable but was not read");
        }
        unreadable.merge(t, 1, Integer::sum);
      }
      if (present.isEmpty()) {
        unreadable.merge("(missing)", 1, Integer::sum);
      }
    }
    System.out.println("Corpus events with no readable time: " + fellBack + " " + unreadable);
    assertThat(failures).isEmpty();
    assertThat(unreadable.keySet())
        .as("the time values that fall back to the arrival time")
        .isSubsetOf("(missing)", "...", "foo", "redacted", "eventTime");
  }

  @Test
  void actorTypesAreSensibleForKnownShapes() {
    List<String> failures = new ArrayList<>();
    for (Decoded d : decoded) {
      String problem =
          d.kind().equals("cloudtrail")
              ? cloudTrailActorProblem(d.original(), d.event().getActor())
              : kubernetesActorProblem(d.original(), d.event().getActor());
      if (problem != null) {
        failures.add(d.line().ref() + ": " + problem);
      }
    }
    assertThat(failures).isEmpty();
  }

  static String cloudTrailActorProblem(JsonNode record, Actor a) {
    JsonNode ui = record.path("userIdentity");
    String type = text(ui, "type");
    String arn = text(ui, "arn");
    String invokedBy = text(ui, "invokedBy");
    String issuer = ui.path("sessionContext").path("sessionIssuer").path("userName").asText("");
    boolean fromConsole = "true".equals(record.path("sessionCredentialFromConsole").asText());
    if (a.getPrincipal() == null) {
      return "no principal";
    }
    if (arn != null && !arn.equals(a.getPrincipal())) {
      return "principal " + a.getPrincipal() + " is not the ARN " + arn;
    }
    if (fromConsole && !(a.isConsole() && a.isHuman())) {
      return "console session not human: " + a.getType();
    }
    String userAgent = text(record, "userAgent");
    if (userAgent != null
        && userAgent.matches("(console\\.([a-z0-9-]+\\.)?|signin\\.)amazonaws\\.com")
        && !(a.isConsole() && a.isHuman())) {
      return "console user agent " + userAgent + " not a console human: " + a.getType();
    }
    if (a.getType() == Actor.Type.IAC && a.getIacTool() == null) {
      return "IaC actor without a tool";
    }
    if (type == null) {
      return null;
    }
    switch (type) {
      case "AWSService":
        if (a.getType() != Actor.Type.AWS_SERVICE) {
          return "AWSService typed " + a.getType();
        }
        if (invokedBy != null && !invokedBy.equals(a.getPrincipal())) {
          return "AWSService principal " + a.getPrincipal() + " is not invokedBy " + invokedBy;
        }
        return null;
      case "Root":
        if (!"root".equals(a.getName())) {
          return "root named " + a.getName();
        }
        return humanOrIac(a, type);
      case "IAMUser", "IdentityCenterUser", "SAMLUser", "FederatedUser":
        return humanOrIac(a, type);
      case "AssumedRole":
        if (issuer.startsWith("AWSReservedSSO_")
            || arn != null && arn.contains(":assumed-role/AWSReservedSSO_")) {
          return humanOrIac(a, "SSO " + type);
        }
        if (arn != null && arn.contains(":assumed-role/") && !arn.endsWith("/" + a.getName())) {
          return "session name " + a.getName() + " not from " + arn;
        }
        return a.getType() == Actor.Type.UNKNOWN || a.getType() == Actor.Type.ANONYMOUS
            ? "AssumedRole typed " + a.getType()
            : null;
      default:
        return null;
    }
  }

  private static String humanOrIac(Actor a, String type) {
    Actor.Type expected =
        a.getIacTool() != null && !a.isConsole() ? Actor.Type.IAC : Actor.Type.HUMAN;
    return a.getType() == expected ? null : type + " typed " + a.getType();
  }

  static String kubernetesActorProblem(JsonNode event, Actor a) {
    JsonNode user =
        event.path("impersonatedUser").isObject()
            ? event.path("impersonatedUser")
            : event.path("user");
    String username = text(user, "username");
    if (event.path("impersonatedUser").isObject()
        && !java.util.Objects.equals(text(event.path("user"), "username"), a.getImpersonatedBy())) {
      return "impersonatedBy " + a.getImpersonatedBy();
    }
    if (username == null) {
      return a.getType() == Actor.Type.UNKNOWN ? null : "no user but typed " + a.getType();
    }
    if (!username.equals(a.getPrincipal())) {
      return "principal " + a.getPrincipal() + " is not " + username;
    }
    List<String> groups = new ArrayList<>();
    user.path("groups").forEach(g -> groups.add(g.asText()));
    if (!groups.equals(a.getGroups())) {
      return "groups " + a.getGroups() + " instead of " + groups;
    }
    Actor.Type expected;
    if (username.startsWith("system:serviceaccount:")) {
      if (!username.endsWith(":" + a.getName())) {
        return "service account named " + a.getName();
      }
      expected = a.getIacTool() != null ? Actor.Type.IAC : Actor.Type.SERVICE_ACCOUNT;
      if (a.getType() == Actor.Type.SERVICE_ACCOUNT || a.getType() == expected) {
        return null;
      }
    } else if (username.equals("system:anonymous")) {
      expected = Actor.Type.ANONYMOUS;
    } else if (username.startsWith("system:")
        || username.startsWith("eks:")
        || groups.contains("system:nodes")) {
      expected = Actor.Type.SYSTEM;
    } else {
      expected = Actor.Type.HUMAN;
    }
    return a.getType() == expected ? null : username + " typed " + a.getType();
  }

  @Test
  void noSecretMaterialSurvivesInTheRawRecord() throws Exception {
    List<String> failures = new ArrayList<>();
    int withSecrets = 0;
    for (Decoded d : decoded) {
      JsonNode raw = d.event().getRaw();
      for (SecretMaterial.Found left : SecretMaterial.in(raw)) {
        failures.add(d.line().ref() + ": secret material left at " + left.pointer());
      }
      List<SecretMaterial.Found> had = SecretMaterial.in(d.original());
      if (!had.isEmpty()) {
        withSecrets++;
      }
      String rawText = JSON.writeValueAsString(raw);
      for (SecretMaterial.Found f : had) {
        for (String value : SecretMaterial.leaves(f.value())) {
          if (value.length() >= 8 && rawText.contains(value)) {
            failures.add(d.line().ref() + ": a value from " + f.pointer() + " is still in raw");
          }
        }
        if (!d.event().getRedacted().contains(f.pointer())) {
          failures.add(d.line().ref() + ": " + f.pointer() + " not reported as redacted");
        }
      }
      for (String p : d.event().getRedacted()) {
        if (d.original().at(p).isMissingNode() || !raw.at(p).isMissingNode()) {
          failures.add(d.line().ref() + ": redacted path " + p + " is not a removed value");
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(withSecrets).as("corpus events that carried secret material").isPositive();
  }

  @Test
  void documentTheCorpus() {
    String[] columns = {"events", "hashed-id", "time-guess", "redacted", "console", "eff.write"};
    Map<String, int[]> perFile = new TreeMap<>();
    Map<String, Map<Actor.Type, Integer>> perType = new TreeMap<>();
    for (Decoded d : decoded) {
      ChangeEvent e = d.event();
      int[] c = perFile.computeIfAbsent(d.file(), f -> new int[columns.length]);
      c[0]++;
      c[1] += e.isIdFromContent() ? 1 : 0;
      c[2] += e.isEventTimeEstimated() ? 1 : 0;
      c[3] += e.getRedacted().isEmpty() ? 0 : 1;
      c[4] += e.getActor().isConsole() ? 1 : 0;
      c[5] += e.isEffectiveWrite() ? 1 : 0;
      perType
          .computeIfAbsent(e.getSource(), s -> new TreeMap<>())
          .merge(e.getActor().getType(), 1, Integer::sum);
    }
    StringBuilder sb = new StringBuilder("\nCorpus decoded by EventDecoder\n");
    sb.append(String.format("%-40s", "file"));
    for (String col : columns) {
      sb.append(String.format(" %10s", col));
    }
    sb.append('\n');
    int[] total = new int[columns.length];
    for (int[] c : perFile.values()) {
      for (int i = 0; i < columns.length; i++) {
        total[i] += c[i];
      }
    }
    Map<String, int[]> rows = new java.util.LinkedHashMap<>(perFile);
    rows.put("total", total);
    rows.forEach(
        (name, counts) -> {
          sb.append(String.format("%-40s", name));
          for (int n : counts) {
            sb.append(String.format(" %10d", n));
          }
          sb.append('\n');
        });
    sb.append(String.format("%n%-14s %-16s %7s%n", "source", "actor type", "events"));
    perType.forEach(
        (source, types) ->
            types.forEach(
                (type, n) ->
                    sb.append(String.format("%-14s %-16s %7d%n", source, type.wireName(), n))));
    System.out.println(sb);
    assertThat(total[0]).isEqualTo(decoded.size());
    assertThat(perType.keySet()).containsExactly(ChangeEvent.CLOUDTRAIL, ChangeEvent.K8S_AUDIT);
  }

  // ---- helpers (independent of the code under test) ----

  private static final Pattern TIME =
      Pattern.compile(
          "(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?)(Z|[+-]\\d{2}:\\d{2})?");

  /** The instant of a timestamp in one of the forms the corpus uses, or empty. */
  static Optional<Instant> readableTime(String text) {
    Matcher m = TIME.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    String zone = m.group(3) == null ? "Z" : m.group(3);
    return Optional.of(OffsetDateTime.parse(m.group(1) + "T" + m.group(2) + zone).toInstant());
  }

  static String text(JsonNode parent, String field) {
    JsonNode n = parent.path(field);
    return n.isValueNode() && !n.isNull() && !n.asText().isEmpty() ? n.asText() : null;
  }

  /** A deep copy with every object's keys in reverse order. */
  static JsonNode reversed(JsonNode n) {
    if (n.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      Collections.reverse(names);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (String name : names) {
        out.set(name, reversed(n.get(name)));
      }
      return out;
    }
    if (n.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      n.forEach(c -> out.add(reversed(c)));
      return out;
    }
    return n;
  }
}
