package dev.portcullis.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Who made a change, with the signals policies use to tell a person from a machine.
 *
 * <p>{@code principal} is the most specific stable identity the source gives (an IAM ARN, a
 * Kubernetes user name). {@code type} is a coarse classification derived at parse time from the
 * source's own fields; policies that need a finer judgement read the signals ({@code console},
 * {@code iacTool}, {@code sessionIssuer}, {@code userAgent}, {@code groups}).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public final class Actor {

  /** Coarse kind of actor; values are lower-case words in JSON and DRL-friendly constants. */
  public enum Type {
    HUMAN,
    SERVICE_ACCOUNT,
    AWS_SERVICE,
    IAC,
    SYSTEM,
    ANONYMOUS,
    UNKNOWN;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  private final String principal;
  private final Type type;
  private final String name;
  private final String account;
  private final String userAgent;
  private final String sourceIp;
  private final boolean console;
  private final String iacTool;
  private final String sessionIssuer;
  private final String impersonatedBy;
  private final List<String> groups;

  private Actor(Builder b) {
    this.principal = b.principal;
    this.type = b.type == null ? Type.UNKNOWN : b.type;
    this.name = b.name;
    this.account = b.account;
    this.userAgent = b.userAgent;
    this.sourceIp = b.sourceIp;
    this.console = b.console;
    this.iacTool = b.iacTool;
    this.sessionIssuer = b.sessionIssuer;
    this.impersonatedBy = b.impersonatedBy;
    this.groups = b.groups == null ? List.of() : List.copyOf(b.groups);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The identity's stable id: IAM ARN (or principal id), Kubernetes user name. */
  public String getPrincipal() {
    return principal;
  }

  public Type getType() {
    return type;
  }

  /** Short display name: IAM user or role session name, service account name, user name. */
  public String getName() {
    return name;
  }

  /** AWS account id of the caller, when known. */
  public String getAccount() {
    return account;
  }

  public String getUserAgent() {
    return userAgent;
  }

  public String getSourceIp() {
    return sourceIp;
  }

  /** True when the change was made from the AWS web console. */
  public boolean isConsole() {
    return console;
  }

  /**
   * The infrastructure-as-code or GitOps tool recognised from the user agent or the invoking
   * service (terraform, cloudformation, pulumi, cdk, argocd, flux, helm), or null.
   */
  public String getIacTool() {
    return iacTool;
  }

  /**
   * ARN of the role whose session made the call (CloudTrail {@code sessionContext.sessionIssuer}).
   */
  public String getSessionIssuer() {
    return sessionIssuer;
  }

  /** The real caller when the principal was impersonated (Kubernetes impersonation). */
  public String getImpersonatedBy() {
    return impersonatedBy;
  }

  /** Kubernetes groups of the user. */
  public List<String> getGroups() {
    return groups;
  }

  /** True for a person: a human user, or anyone acting through the console. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isHuman() {
    return type == Type.HUMAN || console;
  }

  /** Mutable builder used by the parsers. */
  public static final class Builder {
    private String principal;
    private Type type;
    private String name;
    private String account;
    private String userAgent;
    private String sourceIp;
    private boolean console;
    private String iacTool;
    private String sessionIssuer;
    private String impersonatedBy;
    private List<String> groups;

    public Builder principal(String v) {
      principal = v;
      return this;
    }

    public Builder type(Type v) {
      type = v;
      return this;
    }

    public Builder name(String v) {
      name = v;
      return this;
    }

    public Builder account(String v) {
      account = v;
      return this;
    }

    public Builder userAgent(String v) {
      userAgent = v;
      return this;
    }

    public Builder sourceIp(String v) {
      sourceIp = v;
      return this;
    }

    public Builder console(boolean v) {
      console = v;
      return this;
    }

    public Builder iacTool(String v) {
      iacTool = v;
      return this;
    }

    public Builder sessionIssuer(String v) {
      sessionIssuer = v;
      return this;
    }

    public Builder impersonatedBy(String v) {
      impersonatedBy = v;
      return this;
    }

    public Builder groups(List<String> v) {
      groups = v;
      return this;
    }

    public Actor build() {
      return new Actor(this);
    }
  }
}
