package dev.portcullis.policy;

import java.time.Instant;
import java.util.List;

/**
 * CDI event fired when a reload put changed policies in force. The ingest side records it on the
 * decisions topic, so the audit trail says which policy version decided from when on, and why it
 * changed.
 *
 * @param at when the new policies took effect
 * @param trigger {@code api} or {@code file-watcher}
 * @param origin the folder that was read
 * @param previousVersion version of the policies before
 * @param version version now in force
 * @param added policies that are new
 * @param removed policies that are gone
 * @param changed policies whose metadata changed (a rule text change shows only in the version)
 */
public record PolicyReloadApplied(
    Instant at,
    String trigger,
    String origin,
    String previousVersion,
    String version,
    List<String> added,
    List<String> removed,
    List<String> changed) {}
