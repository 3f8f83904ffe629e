package dev.portcullis.enrich.route53;

import dev.portcullis.enrich.DeferredFacts;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.EventTimeWatermark;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.FactProvider;
import dev.portcullis.event.ChangeEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Watches configured zone pairs ({@link ZonePairs}, the parameters of {@code dns-zone-split-brain})
 * for record changes that are not mirrored in the other zone of the pair within the window.
 *
 * <p>On each event ({@link #facts}): every CloudTrail event with a time of its own moves the
 * stream's {@link EventTimeWatermark} (Kubernetes audit events run on another clock and do not);
 * each change of a {@code ChangeResourceRecordSets} batch that took effect in a paired zone either
 * clears the waiting change it mirrors or starts waiting for its own mirror ({@link
 * PendingMirrors}). It states no facts then: the answer is only known later. Later ({@link #due}),
 * each change whose window the watermark (the newest event time minus the allowed lateness) has
 * passed (or, on a quiet stream, whose window plus lateness has passed on the wall clock) comes
 * back as the original event with one {@link MirrorOverdue} fact per missing mirror, for the policy
 * to judge. Both are kinds of state of the context's {@link dev.portcullis.enrich.StateStore}.
 *
 * <p>The apex's own SOA and NS records are never mirrored (every zone has its own) and are left
 * out. Dry runs change nothing and see nothing here.
 */
public final class ZoneSplitBrainFacts implements FactProvider, DeferredFacts {

  /** The policy these facts are for. */
  public static final String POLICY = "dns-zone-split-brain";

  @Override
  public List<Object> facts(ChangeEvent event, FactContext ctx) {
    if (!ctx.recordsState()) {
      return List.of();
    }
    if (ChangeEvent.CLOUDTRAIL.equals(event.getSource()) && !event.isEventTimeEstimated()) {
      ctx.state()
          .of(EventTimeWatermark.class, EventTimeWatermark::new)
          .observe(event.getEventTime());
    }
    PendingMirrors state = ctx.state().of(PendingMirrors.class, PendingMirrors::new);
    Optional<ChangeBatch> batch = ChangeBatch.of(event);
    if (batch.isEmpty() || !event.getOutcome().isEffective()) {
      return List.of();
    }
    ZonePairs settings = ZonePairs.of(ctx.parameters(POLICY));
    for (RecordSetChange c : batch.get().changes()) {
      RecordSet r = c.recordSet();
      for (ZonePairs.Pair pair : settings.pairs()) {
        offer(state, settings, pair, pair.a(), pair.b(), batch.get().zoneId(), c, r, event);
        offer(state, settings, pair, pair.b(), pair.a(), batch.get().zoneId(), c, r, event);
      }
    }
    return List.of();
  }

  private static void offer(
      PendingMirrors state,
      ZonePairs settings,
      ZonePairs.Pair pair,
      ZonePairs.Side changed,
      ZonePairs.Side other,
      String zoneId,
      RecordSetChange c,
      RecordSet r,
      ChangeEvent event) {
    if (!changed.zoneId().equals(zoneId)) {
      return;
    }
    String relative = Route53Names.relative(r.name(), changed.apex());
    if (relative == null
        || "@".equals(relative) && ("SOA".equals(r.type()) || "NS".equals(r.type()))) {
      return;
    }
    state.offer(
        pair, changed, other, relative, r.name(), r.type(), c.action(), event, settings.window());
  }

  @Override
  public List<DueEvaluation> due(FactContext ctx, Instant wallClock) {
    PendingMirrors state = ctx.state().of(PendingMirrors.class, PendingMirrors::new);
    ZonePairs settings = ZonePairs.of(ctx.parameters(POLICY));
    EventTimeWatermark watermark = ctx.state().peek(EventTimeWatermark.class);
    Instant newest = watermark == null ? null : watermark.newest();
    List<PendingMirrors.Overdue> overdue =
        state.takeDue(settings.window(), settings.lateness(), newest, wallClock);
    if (overdue.isEmpty()) {
      return List.of();
    }
    Map<String, List<Object>> factsByEvent = new LinkedHashMap<>();
    Map<String, ChangeEvent> events = new LinkedHashMap<>();
    for (PendingMirrors.Overdue o : overdue) {
      PendingMirrors.Pending p = o.pending();
      events.putIfAbsent(p.event().getId(), p.event());
      factsByEvent
          .computeIfAbsent(p.event().getId(), k -> new ArrayList<>())
          .add(
              new MirrorOverdue(
                  p.event().getId(),
                  p.changed(),
                  p.other(),
                  p.name(),
                  Route53Names.under(p.relative(), p.other().apex()),
                  p.type(),
                  p.action(),
                  settings.window().toSeconds(),
                  o.decidedBy()));
    }
    List<DueEvaluation> out = new ArrayList<>();
    factsByEvent.forEach(
        (id, facts) ->
            out.add(new DueEvaluation(dueId(id), POLICY, events.get(id), List.copyOf(facts))));
    return out;
  }

  /** The stable id of the overdue decision about an event. */
  public static String dueId(String eventId) {
    return eventId + "/" + POLICY;
  }
}
