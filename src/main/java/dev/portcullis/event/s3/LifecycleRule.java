package dev.portcullis.event.s3;

import java.util.List;

/**
 * One rule of a bucket lifecycle configuration.
 *
 * @param id the rule's {@code ID}; {@code rule-<n>} (1-based position) when it has none
 * @param enabled true when {@code Status} is {@code Enabled}; a disabled rule does nothing
 * @param filter the objects it applies to (the {@code Filter} element, or the legacy {@code Prefix}
 *     on the rule itself)
 * @param actions what it does to them, in the order the rule lists them
 */
public record LifecycleRule(
    String id, boolean enabled, LifecycleFilter filter, List<LifecycleAction> actions) {

  public LifecycleRule {
    actions = List.copyOf(actions);
  }
}
