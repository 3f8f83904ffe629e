package dev.portcullis.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The one canonical form of an infrastructure change, whatever its source. Parsers build it;
 * policies read it; the decision record echoes its identity, actor, action and target.
 *
 * <p>Immutable and safe to share between threads. The JSON trees it carries ({@link #getRequest()},
 * {@link #getResponse()}, {@link #getRaw()}) have had secret material removed already and must not
 * be modified.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ChangeEvent {

  /** Value of {@link #getSource()} for AWS CloudTrail records. */
  public static final String CLOUDTRAIL = "cloudtrail";

  /** Value of {@link #getSource()} for Kubernetes audit events. */
  public static final String K8S_AUDIT = "k8s-audit";

  private final String id;
  private final boolean idFromContent;
  private final String source;
  private final Instant eventTime;
  private final boolean eventTimeEstimated;
  private final String service;
  private final String action;
  private final boolean readOnly;
  private final Actor actor;
  private final Target target;
  private final Outcome outcome;
  private final JsonNode request;
  private final JsonNode response;
  private final JsonNode raw;
  private final List<String> redacted;

  private ChangeEvent(Builder b) {
    this.id = Objects.requireNonNull(b.id, "id");
    this.idFromContent = b.idFromContent;
    this.source = Objects.requireNonNull(b.source, "source");
    this.eventTime = Objects.requireNonNull(b.eventTime, "eventTime");
    this.eventTimeEstimated = b.eventTimeEstimated;
    this.service = b.service;
    this.action = b.action == null ? "unknown" : b.action;
    this.readOnly = b.readOnly;
    this.actor = b.actor == null ? Actor.builder().build() : b.actor;
    this.target = b.target == null ? Target.builder().build() : b.target;
    this.outcome = b.outcome == null ? new Outcome(null, null, null, null, false, null) : b.outcome;
    this.request = b.request == null ? MissingNode.getInstance() : b.request;
    this.response = b.response == null ? MissingNode.getInstance() : b.response;
    this.raw = b.raw == null ? MissingNode.getInstance() : b.raw;
    this.redacted = b.redacted == null ? List.of() : List.copyOf(b.redacted);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** CloudTrail {@code eventID}, Kubernetes {@code auditID}, or a content hash when absent. */
  public String getId() {
    return id;
  }

  /** True when {@link #getId()} is a content hash because the event carried no id. */
  public boolean isIdFromContent() {
    return idFromContent;
  }

  /** {@link #CLOUDTRAIL} or {@link #K8S_AUDIT}. */
  public String getSource() {
    return source;
  }

  /** When the change happened, as the source reports it. Decisions are judged by this time. */
  public Instant getEventTime() {
    return eventTime;
  }

  /**
   * True when the event carried no readable time and {@link #getEventTime()} is the arrival time
   * instead.
   */
  public boolean isEventTimeEstimated() {
    return eventTimeEstimated;
  }

  /**
   * The API that was called: CloudTrail {@code eventSource} ({@code s3.amazonaws.com}); for
   * Kubernetes the API group and version ({@code v1}, {@code apps/v1}).
   */
  public String getService() {
    return service;
  }

  /** CloudTrail {@code eventName}; Kubernetes verb ({@code create}, {@code patch}, ...). */
  public String getAction() {
    return action;
  }

  /** True for reads (CloudTrail {@code readOnly}; Kubernetes get, list, watch). */
  public boolean isReadOnly() {
    return readOnly;
  }

  public Actor getActor() {
    return actor;
  }

  public Target getTarget() {
    return target;
  }

  public Outcome getOutcome() {
    return outcome;
  }

  /** CloudTrail {@code requestParameters}; Kubernetes {@code requestObject}. Never null. */
  @JsonIgnore
  public JsonNode getRequest() {
    return request;
  }

  /** CloudTrail {@code responseElements}; Kubernetes {@code responseObject}. Never null. */
  @JsonIgnore
  public JsonNode getResponse() {
    return response;
  }

  /** The whole source record after secret removal. Never null. */
  @JsonIgnore
  public JsonNode getRaw() {
    return raw;
  }

  /** JSON paths whose values were removed as secret material, for the audit trail. */
  public List<String> getRedacted() {
    return redacted;
  }

  /**
   * Text at a JSON pointer into the request ({@code "/bucketName"}), or null. A convenience for
   * rule conditions.
   */
  public String requestText(String pointer) {
    JsonNode n = request.at(pointer);
    return n.isValueNode() ? n.asText() : null;
  }

  /** Text at a JSON pointer into the whole (redacted) record, or null. */
  public String rawText(String pointer) {
    JsonNode n = raw.at(pointer);
    return n.isValueNode() ? n.asText() : null;
  }

  /** True when the event is a write that may have taken effect (not read-only, not failed). */
  @JsonIgnore
  public boolean isEffectiveWrite() {
    return !readOnly && outcome.isEffective();
  }

  @Override
  public String toString() {
    return source + " " + action + " " + target.describe() + " by " + actor.getPrincipal();
  }

  /** Mutable builder used by the parsers. */
  public static final class Builder {
    private String id;
    private boolean idFromContent;
    private String source;
    private Instant eventTime;
    private boolean eventTimeEstimated;
    private String service;
    private String action;
    private boolean readOnly;
    private Actor actor;
    private Target target;
    private Outcome outcome;
    private JsonNode request;
    private JsonNode response;
    private JsonNode raw;
    private List<String> redacted;

    public Builder id(String v, boolean fromContent) {
      id = v;
      idFromContent = fromContent;
      return this;
    }

    public Builder source(String v) {
      source = v;
      return this;
    }

    public Builder eventTime(Instant v, boolean estimated) {
      eventTime = v;
      eventTimeEstimated = estimated;
      return this;
    }

    public Builder service(String v) {
      service = v;
      return this;
    }

    public Builder action(String v) {
      action = v;
      return this;
    }

    public Builder readOnly(boolean v) {
      readOnly = v;
      return this;
    }

    public Builder actor(Actor v) {
      actor = v;
      return this;
    }

    public Builder target(Target v) {
      target = v;
      return this;
    }

    public Builder outcome(Outcome v) {
      outcome = v;
      return this;
    }

    public Builder request(JsonNode v) {
      request = v;
      return this;
    }

    public Builder response(JsonNode v) {
      response = v;
      return this;
    }

    public Builder raw(JsonNode v) {
      raw = v;
      return this;
    }

    public Builder redacted(List<String> v) {
      redacted = v;
      return this;
    }

    public ChangeEvent build() {
      return new ChangeEvent(this);
    }
  }
}
