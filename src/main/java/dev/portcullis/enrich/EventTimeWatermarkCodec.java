package dev.portcullis.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;

/**
 * {@link EventTimeWatermark} as JSON ({@code watermark}): {@code {"newest":
 * "2026-11-24T10:00:00Z"}}, or {@code {}} before the first event. The watermark read back judges
 * new event times by the system clock.
 */
public final class EventTimeWatermarkCodec implements StateCodec<EventTimeWatermark> {

  @Override
  public Class<EventTimeWatermark> kind() {
    return EventTimeWatermark.class;
  }

  @Override
  public String name() {
    return "watermark";
  }

  @Override
  public JsonNode write(EventTimeWatermark state) {
    ObjectNode n = StateJson.NODES.objectNode();
    StateJson.put(n, "newest", state.newest());
    return n;
  }

  @Override
  public EventTimeWatermark read(JsonNode json) {
    return new EventTimeWatermark(Clock.systemUTC(), StateJson.instant(json, "newest"));
  }

  @Override
  public boolean isEmpty(EventTimeWatermark state) {
    return state.newest() == null;
  }
}
