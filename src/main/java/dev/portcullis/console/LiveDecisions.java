package dev.portcullis.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The open live streams of {@code GET /v1/decisions/stream}: each browser gets every new decision
 * record that matches its filter as a {@code decision} event (after the ones it missed, when it
 * reconnects with {@code Last-Event-ID}), and a comment every 15 s so proxies keep the connection.
 * A stream whose browser went away is dropped at the next send.
 */
@ApplicationScoped
public class LiveDecisions {

  private static final Logger LOG = Logger.getLogger(LiveDecisions.class);

  /** How many missed records a reconnecting browser gets at most. */
  static final int REPLAY_MAX = 200;

  @Inject RecentDecisions recent;
  @Inject ObjectMapper json;
  @Inject MeterRegistry registry;

  private final Set<Stream> open = ConcurrentHashMap.newKeySet();

  @PostConstruct
  void metrics() {
    Gauge.builder("portcullis.console.streams", open, Set::size)
        .description("Live decision streams open in the web console")
        .register(registry);
  }

  final class Stream {
    private final SseEventSink sink;
    private final Sse sse;
    private final DecisionFilter filter;
    private Runnable stop;

    Stream(SseEventSink sink, Sse sse, DecisionFilter filter) {
      this.sink = sink;
      this.sse = sse;
      this.filter = filter;
    }

    void send(RecentDecisions.Entry e) {
      if (!filter.test(e)) {
        return;
      }
      String data;
      try {
        data = json.writeValueAsString(DecisionsResource.Item.of(e));
      } catch (JsonProcessingException ex) {
        LOG.debugf("Console: a decision record could not be written: %s", ex.getMessage());
        return;
      }
      send(
          sse.newEventBuilder()
              .name("decision")
              .id(Long.toString(e.seq()))
              .mediaType(MediaType.APPLICATION_JSON_TYPE)
              .data(String.class, data)
              .build());
    }

    synchronized void send(OutboundSseEvent event) {
      if (sink.isClosed()) {
        close();
        return;
      }
      sink.send(event)
          .whenComplete(
              (v, err) -> {
                if (err != null) {
                  close();
                }
              });
    }

    void close() {
      if (open.remove(this)) {
        if (stop != null) {
          stop.run();
        }
        try {
          sink.close();
        } catch (RuntimeException e) {
          // already gone
        }
      }
    }
  }

  /** Starts a stream: what the browser missed after {@code after} (-1: nothing), then live. */
  void open(SseEventSink sink, Sse sse, DecisionFilter filter, long after) {
    Stream s = new Stream(sink, sse, filter);
    open.add(s);
    s.send(sse.newEventBuilder().comment("portcullis decisions").build());
    if (after >= 0) {
      List<RecentDecisions.Entry> missed = recent.latest(e -> e.seq() > after, REPLAY_MAX);
      for (int i = missed.size() - 1; i >= 0; i--) {
        s.send(missed.get(i));
      }
    }
    s.stop = recent.listen(s::send);
  }

  @Scheduled(every = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void keepAlive() {
    for (Stream s : open) {
      s.send(s.sse.newEventBuilder().comment("keep-alive").build());
    }
  }
}
