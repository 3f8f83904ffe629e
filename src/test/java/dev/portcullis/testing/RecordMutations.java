package dev.portcullis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Mutated input records for property tests of the stream: a seed event (a corpus line or a policy
 * test case's event) with a fresh id, changed by a few {@link Kind mutations}, each replayable from
 * its own random seed so a failing record can be rebuilt with fewer of them (shrunk). Pure: no
 * Kafka here.
 */
public final class RecordMutations {

  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** The largest input record written to Kafka as is; larger ones are sent gzip-compressed. */
  public static final int PLAIN_LIMIT = 900 * 1024;

  /** One way of changing a record. */
  public enum Kind {
    /** Removes a field (one every sender writes, or any). */
    REMOVE_FIELD,
    /** Gives a field a value of another JSON type. */
    WRONG_TYPE,
    /** Every number becomes its text. */
    NUMBERS_AS_STRINGS,
    /** Text values with unicode: emoji, right-to-left marks, NUL, a lone surrogate escape. */
    UNICODE,
    /** One text value becomes a huge (compressible) string, within the decoder's limit. */
    HUGE_STRING,
    /** A value wrapped in nested arrays. */
    NESTED_ARRAYS,
    /** A stage (audit) or event name (CloudTrail) nobody defined. */
    UNKNOWN_STAGE,
    /** Fields nobody defined, some named like the fields of batch shapes. */
    EXTRA_FIELDS,
    /**
     * The record inside a batch: a log file, an EventList, a JSON array, an EventBridge envelope.
     */
    WRAP,
    /** The record's JSON text cut short. */
    TRUNCATE,
    /** A few bytes of the record changed at random. */
    RANDOM_BYTES;

    boolean onBytes() {
      return this == TRUNCATE || this == RANDOM_BYTES;
    }
  }

  /** One mutation with the seed of its own random choices. */
  public record Mutation(Kind kind, long seed) {
    @Override
    public String toString() {
      return kind + "#" + seed;
    }
  }

  /** A seed event: where it came from, its JSON, and whether it is a Kubernetes audit event. */
  public record Seed(String ref, ObjectNode event, boolean audit) {}

  /** A mutated record, ready to send, with how it was made. */
  public record Built(
      Seed seed, String id, List<Mutation> mutations, boolean wrongTopic, byte[] bytes) {
    public String describe() {
      return seed.ref()
          + " id="
          + id
          + " mutations="
          + mutations
          + (wrongTopic ? " (on the other topic)" : "")
          + " bytes="
          + bytes.length;
    }
  }

  static final List<String> CLOUDTRAIL_FIELDS =
      List.of(
          "eventName",
          "eventSource",
          "eventID",
          "eventTime",
          "userIdentity",
          "requestParameters",
          "responseElements",
          "errorCode",
          "awsRegion",
          "recipientAccountId",
          "resources",
          "sourceIPAddress",
          "userAgent");

  static final List<String> AUDIT_FIELDS =
      List.of(
          "auditID",
          "verb",
          "stage",
          "user",
          "objectRef",
          "requestURI",
          "responseStatus",
          "sourceIPs",
          "requestReceivedTimestamp",
          "stageTimestamp",
          "impersonatedUser",
          "requestObject",
          "responseObject",
          "annotations");

  static final List<String> UNICODE =
      List.of(
          "ünïcödé",
          "日本語のテキスト",
          "👩‍💻🚀🔥",
          "\u202Egnp.exe",
          "a\u0000b",
          "\uFEFFbom",
          "Z̷̢͎̈́a̸l̵g̴o̷",
          "\uD800",
          "\uDFFF\uD800",
          "\\u0000\\\"",
          "");

  static final List<String> ODD_NAMES =
      List.of(
          "Records",
          "items",
          "kind",
          "logEvents",
          "messageType",
          "detail-type",
          "detail",
          "apiVersion",
          "",
          "😀",
          "p_event_time",
          "eventTime ",
          "$schema");

  private RecordMutations() {}

  /** The seeds: every corpus line, or (without the corpus) the policy test cases' events. */
  public static List<Seed> seeds(boolean corpus) {
    List<Seed> out = new ArrayList<>();
    if (corpus) {
      for (String kind : List.of("cloudtrail", "k8saudit")) {
        for (Corpus.Line line : Corpus.lines(kind)) {
          out.add(new Seed(line.ref(), (ObjectNode) read(line.json()), kind.equals("k8saudit")));
        }
      }
    }
    out.addAll(fixtures(Path.of("rules")));
    return out;
  }

  /** The {@code event}/{@code events} of every policy test case under {@code rules/}. */
  static List<Seed> fixtures(Path rules) {
    List<Seed> out = new ArrayList<>();
    YAMLMapper yaml = new YAMLMapper();
    try (Stream<Path> files = Files.walk(rules)) {
      for (Path f :
          files
              .filter(
                  p ->
                      p.getParent() != null
                          && p.getParent().getFileName().toString().equals("tests"))
              .filter(p -> p.toString().endsWith(".yaml"))
              .sorted()
              .toList()) {
        JsonNode tree = yaml.readTree(f.toFile());
        List<JsonNode> events = new ArrayList<>();
        events.add(tree.path("event"));
        tree.path("events").forEach(events::add);
        for (JsonNode e : events) {
          if (e instanceof ObjectNode o && (o.has("eventName") || o.has("verb"))) {
            out.add(new Seed(f.toString(), o, !o.has("eventName")));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Draws a record to mutate: a seed, 1 to 3 mutations and sometimes the other topic. */
  public static Draw draw(Random random, List<Seed> seeds) {
    Seed seed = seeds.get(random.nextInt(seeds.size()));
    int n = 1 + random.nextInt(3);
    List<Mutation> mutations = new ArrayList<>();
    Kind[] kinds = Kind.values();
    for (int i = 0; i < n; i++) {
      mutations.add(new Mutation(kinds[random.nextInt(kinds.length)], random.nextLong()));
    }
    return new Draw(seed, mutations, random.nextInt(10) == 0);
  }

  /** What was drawn; {@link #build} makes the record with a fresh id each time. */
  public record Draw(Seed seed, List<Mutation> mutations, boolean wrongTopic) {
    public Draw without(int index) {
      List<Mutation> fewer = new ArrayList<>(mutations);
      fewer.remove(index);
      return new Draw(seed, fewer, wrongTopic);
    }

    public Built build(String id) {
      return RecordMutations.build(this, id);
    }
  }

  /**
   * The record: the seed with its id set to {@code id} (so no two records are one event for the
   * dedup memory), then the JSON mutations in order, then the byte mutations.
   */
  static Built build(Draw d, String id) {
    ObjectNode event = d.seed().event().deepCopy();
    event.put(d.seed().audit() ? "auditID" : "eventID", id);
    JsonNode root = event;
    boolean gzip = false;
    for (Mutation m : d.mutations()) {
      if (!m.kind().onBytes()) {
        Random r = new Random(m.seed());
        if (m.kind() == Kind.WRAP) {
          root = wrap(root, d.seed().audit(), r);
        } else if (m.kind() == Kind.HUGE_STRING) {
          gzip |= huge(root, r);
        } else {
          mutate(m.kind(), root, d.seed().audit(), r);
        }
      }
    }
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      // A lone surrogate cannot be written as UTF-8: send everything past ASCII escaped.
      try {
        bytes =
            JSON.writer()
                .with(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
                .writeValueAsString(root)
                .getBytes(StandardCharsets.US_ASCII);
      } catch (IOException again) {
        throw new UncheckedIOException(again);
      }
    }
    for (Mutation m : d.mutations()) {
      if (m.kind().onBytes()) {
        Random r = new Random(m.seed());
        bytes = m.kind() == Kind.TRUNCATE ? truncate(bytes, r) : flip(bytes, r);
      }
    }
    if (gzip || bytes.length > PLAIN_LIMIT) {
      bytes = Events.gzip(new String(bytes, StandardCharsets.UTF_8));
    }
    return new Built(d.seed(), id, d.mutations(), d.wrongTopic(), bytes);
  }

  static void mutate(Kind kind, JsonNode root, boolean audit, Random r) {
    ObjectNode event = innermostEvent(root);
    List<String> known = audit ? AUDIT_FIELDS : CLOUDTRAIL_FIELDS;
    switch (kind) {
      case REMOVE_FIELD -> event.remove(pickField(event, known, r));
      case WRONG_TYPE -> {
        String field = pickField(event, known, r);
        event.set(field, otherType(event.get(field), r));
      }
      case NUMBERS_AS_STRINGS -> numbersAsStrings(root);
      case UNICODE -> {
        List<Leaf> leaves = textLeaves(root);
        for (int i = 0; i < 1 + r.nextInt(5) && !leaves.isEmpty(); i++) {
          Leaf l = leaves.get(r.nextInt(leaves.size()));
          String u = UNICODE.get(r.nextInt(UNICODE.size()));
          l.set(r.nextBoolean() ? u : l.text() + u);
        }
      }
      case NESTED_ARRAYS -> {
        String field = pickField(event, known, r);
        JsonNode v = event.get(field) == null ? F.textNode("x") : event.get(field);
        for (int i = 0; i < 1 + r.nextInt(5); i++) {
          v = F.arrayNode().add(v);
        }
        event.set(field, v);
      }
      case UNKNOWN_STAGE -> {
        List<String> odd =
            List.of("Panic", "", "requestreceived", "ResponseStarted ", "Unknown🚀", "null");
        if (audit) {
          event.put("stage", odd.get(r.nextInt(odd.size())));
        } else {
          event.put(
              r.nextBoolean() ? "eventName" : "eventType",
              List.of("NoSuchCall", "Delete*", "PutBucketLifecycle ", "删除").get(r.nextInt(4)));
        }
      }
      case EXTRA_FIELDS -> {
        for (int i = 0; i < 1 + r.nextInt(6); i++) {
          ObjectNode target = r.nextInt(3) == 0 ? someObject(event, r) : event;
          String name =
              r.nextBoolean() ? ODD_NAMES.get(r.nextInt(ODD_NAMES.size())) : "x-" + r.nextInt(1000);
          target.set(name, otherType(null, r));
        }
      }
      default -> throw new IllegalArgumentException(kind.name());
    }
  }

  /** Makes one text value huge; true when the record must be sent compressed. */
  static boolean huge(JsonNode root, Random r) {
    List<Leaf> leaves = textLeaves(root);
    if (leaves.isEmpty()) {
      return false;
    }
    int size = r.nextBoolean() ? 50_000 + r.nextInt(500_000) : 1_000_000 + r.nextInt(2_000_000);
    char[] c = new char[size];
    Arrays.fill(c, (char) ('a' + r.nextInt(26)));
    leaves.get(r.nextInt(leaves.size())).set(new String(c));
    return size > PLAIN_LIMIT / 2;
  }

  static JsonNode wrap(JsonNode record, boolean audit, Random r) {
    ArrayNode one = F.arrayNode().add(record);
    return switch (r.nextInt(4)) {
      case 0 -> F.objectNode().set("Records", one);
      case 1 -> {
        ObjectNode list = F.objectNode().put("kind", "EventList");
        list.put("apiVersion", "audit.k8s.io/v1");
        yield list.set("items", one);
      }
      case 2 -> one;
      default -> {
        if (audit) {
          ObjectNode cw = F.objectNode().put("messageType", "DATA_MESSAGE");
          cw.putArray("logEvents").addObject().put("id", "1").put("message", record.toString());
          yield cw;
        }
        ObjectNode eb = F.objectNode().put("detail-type", "AWS API Call via CloudTrail");
        eb.put("source", "aws.cloudtrail");
        yield eb.set("detail", record);
      }
    };
  }

  /** The event inside wrappers made by {@link #wrap}, or the root itself. */
  static ObjectNode innermostEvent(JsonNode root) {
    JsonNode n = root;
    for (int i = 0; i < 5; i++) {
      if (n.isArray() && !n.isEmpty()) {
        n = n.get(0);
      } else if (n.has("Records") && n.get("Records").isArray() && !n.get("Records").isEmpty()) {
        n = n.get("Records").get(0);
      } else if (n.has("items") && n.get("items").isArray() && !n.get("items").isEmpty()) {
        n = n.get("items").get(0);
      } else if (n.has("detail") && n.get("detail").isObject()) {
        n = n.get("detail");
      } else {
        break;
      }
    }
    if (n instanceof ObjectNode o) {
      return o;
    }
    return root instanceof ObjectNode o ? o : F.objectNode();
  }

  static String pickField(ObjectNode event, List<String> known, Random r) {
    if (r.nextInt(3) > 0) {
      List<String> present = known.stream().filter(event::has).toList();
      if (!present.isEmpty()) {
        return present.get(r.nextInt(present.size()));
      }
    }
    List<String> names = new ArrayList<>();
    event.fieldNames().forEachRemaining(names::add);
    return names.isEmpty() ? "eventName" : names.get(r.nextInt(names.size()));
  }

  static JsonNode otherType(JsonNode current, Random r) {
    for (int i = 0; i < 10; i++) {
      JsonNode v =
          switch (r.nextInt(9)) {
            case 0 -> F.numberNode(42);
            case 1 -> F.booleanNode(r.nextBoolean());
            case 2 -> F.arrayNode().add("a").add(1);
            case 3 -> F.objectNode().put("nested", "value");
            case 4 -> F.textNode("text");
            case 5 -> F.nullNode();
            case 6 -> F.numberNode(1.5e300);
            case 7 -> F.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            default -> F.arrayNode();
          };
      if (current == null || v.getNodeType() != current.getNodeType()) {
        return v;
      }
    }
    return F.nullNode();
  }

  static ObjectNode someObject(ObjectNode event, Random r) {
    List<ObjectNode> objects = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = event.fields(); it.hasNext(); ) {
      if (it.next().getValue() instanceof ObjectNode o) {
        objects.add(o);
      }
    }
    return objects.isEmpty() ? event : objects.get(r.nextInt(objects.size()));
  }

  static void numbersAsStrings(JsonNode n) {
    if (n instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode v = o.get(name);
        if (v.isNumber()) {
          o.put(name, v.asText());
        } else {
          numbersAsStrings(v);
        }
      }
    } else if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isNumber()) {
          a.set(i, new TextNode(a.get(i).asText()));
        } else {
          numbersAsStrings(a.get(i));
        }
      }
    }
  }

  /** A text value inside the tree, and how to replace it. */
  record Leaf(JsonNode parent, String field, int index) {
    String text() {
      return (field != null ? parent.get(field) : parent.get(index)).asText();
    }

    void set(String value) {
      if (field != null) {
        ((ObjectNode) parent).put(field, value);
      } else {
        ((ArrayNode) parent).set(index, new TextNode(value));
      }
    }
  }

  static List<Leaf> textLeaves(JsonNode root) {
    List<Leaf> out = new ArrayList<>();
    collect(root, out, 0);
    return out;
  }

  private static void collect(JsonNode n, List<Leaf> out, int depth) {
    if (depth > 20) {
      return;
    }
    if (n instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isTextual()) {
          out.add(new Leaf(o, e.getKey(), -1));
        } else {
          collect(e.getValue(), out, depth + 1);
        }
      }
    } else if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isTextual()) {
          out.add(new Leaf(a, null, i));
        } else {
          collect(a.get(i), out, depth + 1);
        }
      }
    }
  }

  static byte[] truncate(byte[] bytes, Random r) {
    return Arrays.copyOf(bytes, r.nextInt(Math.max(1, bytes.length)));
  }

  static byte[] flip(byte[] bytes, Random r) {
    byte[] out = bytes.clone();
    for (int i = 0; i < 1 + r.nextInt(5) && out.length > 0; i++) {
      out[r.nextInt(out.length)] = (byte) r.nextInt(256);
    }
    return out;
  }

  static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
