package dev.portcullis.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.List;

/**
 * The metadata of one policy, read and validated from its {@code policy.yaml} by {@link
 * MetadataReader}.
 *
 * @param id the folder name; what decisions, metrics and exceptions call the policy
 * @param title a short sentence naming what it protects
 * @param description what it catches and why
 * @param severity default severity of its findings
 * @param enforcement block, alert or audit
 * @param owner the team that answers for it
 * @param runbook http(s) URL of what to do when it fires
 * @param tags free labels for routing and search
 * @param sources the event sources it applies to ({@code cloudtrail}, {@code k8s-audit})
 * @param eventNames the CloudTrail event names or Kubernetes verbs it looks at
 * @param dedupWindow optional: how long alert sinks fold repeats of one finding into one alert
 * @param parameters optional: default values of the policy's parameters (lists, thresholds) that
 *     fact providers and rules read; configuration and test cases may override them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyMetadata(
    String id,
    String title,
    String description,
    Severity severity,
    Enforcement enforcement,
    String owner,
    String runbook,
    List<String> tags,
    List<String> sources,
    List<String> eventNames,
    Duration dedupWindow,
    JsonNode parameters) {

  public PolicyMetadata {
    parameters = parameters == null ? JsonNodeFactory.instance.objectNode() : parameters;
    tags = tags == null ? List.of() : List.copyOf(tags);
    sources = sources == null ? List.of() : List.copyOf(sources);
    eventNames = eventNames == null ? List.of() : List.copyOf(eventNames);
  }

  /** True when the policy judges CloudTrail events. */
  public boolean judgesCloudTrail() {
    return sources.contains(dev.portcullis.event.ChangeEvent.CLOUDTRAIL);
  }
}
