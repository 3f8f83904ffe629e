package dev.portcullis.enrich;

import dev.portcullis.event.ChangeEvent;
import java.util.List;

/**
 * A judgement that fell due later than its event: the original event, judged again by one policy
 * with the facts that say what is now known (e.g. that its mirror never came).
 *
 * @param id a stable id for the decision record, derived from the event's id (a replay gives the
 *     same id)
 * @param policy the only policy whose decisions count (the others judged the event already)
 * @param event the original event
 * @param facts the facts to insert beside it
 */
public record DueEvaluation(String id, String policy, ChangeEvent event, List<Object> facts) {}
