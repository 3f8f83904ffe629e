package dev.portcullis.enrich;

import java.time.Instant;
import java.util.List;

/**
 * A {@link FactProvider} whose judgement of some events can only be made later: a change that needs
 * a counterpart (a DNS record mirrored in a paired zone) is known to lack it only once the
 * counterpart's time has passed. It keeps such events in its state and hands them back, with the
 * facts to judge them by, once they are due.
 *
 * <p>The stream asks after its events and on a timer, and writes each due judgement as a decision
 * record of its own; a policy test case asks after each of its events, so the judgement shows on
 * the event that made it due. Dry runs never ask (they change no state).
 */
public interface DeferredFacts {

  /**
   * The judgements due now; each is removed from the state as it is handed out.
   *
   * @param context parameters and state, as for {@link FactProvider#facts}
   * @param wallClock the wall-clock time, for judgements that fall due on a quiet stream, or null
   *     to go by event time alone (test cases: the same events always give the same decisions)
   */
  List<DueEvaluation> due(FactContext context, Instant wallClock);
}
