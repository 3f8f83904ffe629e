package dev.portcullis.policy;

import dev.portcullis.event.ChangeEvent;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which policies see which events: a policy's rules match only events of its {@code sources} whose
 * action is one of its {@code eventNames} (or every action, for {@code ["*"]}), the way Falco
 * indexes its rules by event type and Gatekeeper and Kyverno match on kinds and operations before
 * any rule logic runs.
 *
 * <p>The compiler puts the {@code ChangeEvent} patterns of each policy's rules on a Drools entry
 * point of its route; policies with the same sources and event names share one. An event is
 * inserted only into the entry points of the routes that take it, so the conditions of every other
 * policy are never tested against it: with 1,000 policies an event costs what the few that name its
 * action cost (docs/benchmarks.md, "Policies at scale").
 */
final class PolicyRoutes {

  /** Prefix of the entry points the compiler gives the policies' {@code ChangeEvent} patterns. */
  static final String ENTRY_POINT_PREFIX = "portcullis-route-";

  private final Map<String, String> entryPointOfPolicy;

  /** By source, then by action: the entry points that take the event. */
  private final Map<String, Map<String, List<String>>> named;

  /** By source: the entry points of policies about every action (events of unlisted actions). */
  private final Map<String, List<String>> any;

  private PolicyRoutes(
      Map<String, String> entryPointOfPolicy,
      Map<String, Map<String, List<String>>> named,
      Map<String, List<String>> any) {
    this.entryPointOfPolicy = entryPointOfPolicy;
    this.named = named;
    this.any = any;
  }

  /** Routes for these policies; one entry point per distinct pair of sources and event names. */
  static PolicyRoutes of(Collection<PolicyMetadata> policies) {
    Map<String, String> entryPointOfKey = new LinkedHashMap<>();
    Map<String, String> entryPointOfPolicy = new HashMap<>();
    Map<String, Map<String, TreeSet<String>>> namedSets = new HashMap<>();
    Map<String, TreeSet<String>> anySets = new HashMap<>();
    for (PolicyMetadata p : policies) {
      String key =
          String.join(",", new TreeSet<>(p.sources())) + "|" + new TreeSet<>(p.eventNames());
      String ep =
          entryPointOfKey.computeIfAbsent(key, k -> ENTRY_POINT_PREFIX + entryPointOfKey.size());
      entryPointOfPolicy.put(p.id(), ep);
      for (String source : p.sources()) {
        for (String name : p.eventNames()) {
          if (name.equals(PolicyLint.ANY)) {
            anySets.computeIfAbsent(source, s -> new TreeSet<>()).add(ep);
          } else {
            namedSets
                .computeIfAbsent(source, s -> new HashMap<>())
                .computeIfAbsent(name, n -> new TreeSet<>())
                .add(ep);
          }
        }
      }
    }
    Map<String, List<String>> any = new HashMap<>();
    anySets.forEach((source, eps) -> any.put(source, List.copyOf(eps)));
    Map<String, Map<String, List<String>>> named = new HashMap<>();
    namedSets.forEach(
        (source, byName) -> {
          Map<String, List<String>> lists = new HashMap<>();
          byName.forEach(
              (name, eps) -> {
                TreeSet<String> all = new TreeSet<>(eps);
                all.addAll(anySets.getOrDefault(source, new TreeSet<>()));
                lists.put(name, List.copyOf(all));
              });
          named.put(source, lists);
        });
    return new PolicyRoutes(Map.copyOf(entryPointOfPolicy), named, any);
  }

  /** The entry point of a policy's {@code ChangeEvent} patterns. */
  String entryPoint(String policyId) {
    return entryPointOfPolicy.get(policyId);
  }

  /** The entry points this event is inserted into; empty when no policy looks at it. */
  List<String> of(ChangeEvent event) {
    String source = event.getSource();
    Map<String, List<String>> byName = named.get(source);
    List<String> eps =
        byName == null || event.getAction() == null ? null : byName.get(event.getAction());
    if (eps != null) {
      return eps;
    }
    return any.getOrDefault(source, List.of());
  }
}
