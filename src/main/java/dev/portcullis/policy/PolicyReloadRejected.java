package dev.portcullis.policy;

import java.time.Instant;
import java.util.List;

/**
 * CDI event fired when a changed policy folder does not load and the previous policies stay in
 * force. The ingest side records it as an {@code audit} decision on the decisions topic.
 *
 * @param at when the reload was attempted
 * @param trigger {@code api} or {@code file-watcher}
 * @param origin the folder that was read
 * @param keptVersion version of the policies still in force
 * @param attemptedVersion content hash of the rejected folder
 * @param problems every problem, each with its file and line
 */
public record PolicyReloadRejected(
    Instant at,
    String trigger,
    String origin,
    String keptVersion,
    String attemptedVersion,
    List<String> problems) {}
