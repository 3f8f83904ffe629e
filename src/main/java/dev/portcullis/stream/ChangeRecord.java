package dev.portcullis.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.ChangeEventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * A record of the changes topic: either a change event to judge (with when its input arrived and
 * where it came from, for lag metrics and dead letters), or an observation of the world made
 * outside the stream (the guard saw a protected object present or gone) to record in the scope's
 * state. JSON, so an operator can read the topic with kcat.
 *
 * @param scope the key it is written under ({@link Scopes})
 * @param event the change event; null for an observation
 * @param arrival when its input reached Kafka
 * @param origin the input's topic, partition and offset; null when unknown
 * @param observation what was observed; null for an event
 * @param inventory what the inventory read of one bucket or weighted record set ({@link
 *     dev.portcullis.inventory.InventoryRecords}); null otherwise
 */
public record ChangeRecord(
    String scope,
    ChangeEvent event,
    Instant arrival,
    Origin origin,
    Observation observation,
    JsonNode inventory) {

  /** The input header that says how a record got to its topic ({@link Origin#via()}). */
  public static final String VIA_HEADER = "portcullis-via";

  /** {@link Origin#via()} of events the LookupEvents backfill wrote. */
  public static final String VIA_LOOKUP = "lookup";

  /**
   * Where an input record was read, and how it got there when not from its source directly ({@code
   * via} {@value #VIA_LOOKUP}: written by the CloudTrail LookupEvents backfill), else null.
   */
  public record Origin(String topic, int partition, long offset, String via) {
    public Origin(String topic, int partition, long offset) {
      this(topic, partition, offset, null);
    }

    public String describe() {
      return topic + "-" + partition + "@" + offset;
    }
  }

  /**
   * A protected object seen present or gone by the guard.
   *
   * @param bucket its bucket
   * @param key its key
   * @param present true when it exists
   * @param at when it was seen (wall clock, as the guard has no event)
   */
  public record Observation(String bucket, String key, boolean present, Instant at) {}

  public static ChangeRecord event(String scope, ChangeEvent e, Instant arrival, Origin origin) {
    return new ChangeRecord(scope, e, arrival, origin, null, null);
  }

  public static ChangeRecord observation(Observation o) {
    return new ChangeRecord(Scopes.bucket(o.bucket()), null, o.at(), null, o, null);
  }

  /** A reading of the inventory, to record in the scope's state. */
  public static ChangeRecord inventory(String scope, JsonNode reading, Instant at) {
    return new ChangeRecord(scope, null, at, null, null, reading);
  }

  public byte[] write(ObjectMapper mapper) {
    ObjectNode n = mapper.createObjectNode();
    n.put("scope", scope);
    n.put("arrival", arrival.toString());
    if (event != null) {
      n.put("type", "event");
      n.set("event", ChangeEventCodec.write(event));
    } else if (inventory != null) {
      n.put("type", "inventory");
      n.set("inventory", inventory);
    } else {
      n.put("type", "observation");
      ObjectNode o = n.putObject("observation");
      o.put("bucket", observation.bucket());
      o.put("key", observation.key());
      o.put("present", observation.present());
      o.put("at", observation.at().toString());
    }
    if (origin != null) {
      ObjectNode o = n.putObject("origin");
      o.put("topic", origin.topic());
      o.put("partition", origin.partition());
      o.put("offset", origin.offset());
      if (origin.via() != null) {
        o.put("via", origin.via());
      }
    }
    try {
      return mapper.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a record of the changes topic.
   *
   * @throws IllegalArgumentException when it is no change record
   */
  public static ChangeRecord read(byte[] bytes, ObjectMapper mapper) {
    JsonNode n;
    try {
      n = mapper.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject() || !n.path("scope").isTextual()) {
      throw new IllegalArgumentException("not a change record (no scope)");
    }
    Instant arrival = Instant.parse(n.path("arrival").asText());
    Origin origin = null;
    JsonNode o = n.get("origin");
    if (o != null && o.isObject()) {
      origin =
          new Origin(
              o.path("topic").asText(),
              o.path("partition").asInt(),
              o.path("offset").asLong(),
              o.path("via").asText(null));
    }
    String type = n.path("type").asText();
    if ("event".equals(type)) {
      return new ChangeRecord(
          n.get("scope").asText(),
          ChangeEventCodec.read(n.get("event")),
          arrival,
          origin,
          null,
          null);
    }
    if ("observation".equals(type)) {
      JsonNode ob = n.get("observation");
      return new ChangeRecord(
          n.get("scope").asText(),
          null,
          arrival,
          origin,
          new Observation(
              ob.path("bucket").asText(),
              ob.path("key").asText(),
              ob.path("present").asBoolean(),
              Instant.parse(ob.path("at").asText())),
          null);
    }
    if ("inventory".equals(type) && n.path("inventory").isObject()) {
      return new ChangeRecord(
          n.get("scope").asText(), null, arrival, origin, null, n.get("inventory"));
    }
    throw new IllegalArgumentException("unknown change record type '" + type + "'");
  }
}
