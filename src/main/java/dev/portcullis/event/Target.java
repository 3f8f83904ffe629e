package dev.portcullis.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a change touches. One flat shape for every source; a field a source does not have stays null
 * and is left out of JSON.
 *
 * <p>{@code type} names the kind of resource: a CloudFormation-style type for AWS ({@code
 * AWS::S3::Bucket}, {@code AWS::Route53::HostedZone}) and the plural resource for Kubernetes
 * ({@code secrets}, {@code deployments}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Target {

  private final String type;
  private final String account;
  private final String region;
  private final String arn;
  private final String bucket;
  private final String key;
  private final String hostedZoneId;
  private final String recordName;
  private final String namespace;
  private final String name;
  private final String apiGroup;
  private final String resource;
  private final String subresource;

  private Target(Builder b) {
    this.type = b.type;
    this.account = b.account;
    this.region = b.region;
    this.arn = b.arn;
    this.bucket = b.bucket;
    this.key = b.key;
    this.hostedZoneId = b.hostedZoneId;
    this.recordName = b.recordName;
    this.namespace = b.namespace;
    this.name = b.name;
    this.apiGroup = b.apiGroup;
    this.resource = b.resource;
    this.subresource = b.subresource;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String getType() {
    return type;
  }

  public String getAccount() {
    return account;
  }

  public String getRegion() {
    return region;
  }

  public String getArn() {
    return arn;
  }

  public String getBucket() {
    return bucket;
  }

  public String getKey() {
    return key;
  }

  /** Route53 hosted zone id without the {@code /hostedzone/} prefix. */
  public String getHostedZoneId() {
    return hostedZoneId;
  }

  public String getRecordName() {
    return recordName;
  }

  public String getNamespace() {
    return namespace;
  }

  /** The resource's own name (Kubernetes object, secret id, role, ...). */
  public String getName() {
    return name;
  }

  public String getApiGroup() {
    return apiGroup;
  }

  /** Kubernetes plural resource ({@code secrets}); null for AWS. */
  public String getResource() {
    return resource;
  }

  public String getSubresource() {
    return subresource;
  }

  /** A short human-readable reference, e.g. {@code s3://bucket/key} or {@code ns/secrets/name}. */
  @JsonIgnore
  public String describe() {
    if (bucket != null) {
      return key == null ? "s3://" + bucket : "s3://" + bucket + "/" + key;
    }
    if (hostedZoneId != null) {
      return recordName == null
          ? "hosted zone " + hostedZoneId
          : recordName + " in hosted zone " + hostedZoneId;
    }
    if (resource != null) {
      StringBuilder sb = new StringBuilder();
      if (namespace != null) {
        sb.append(namespace).append('/');
      }
      sb.append(resource);
      if (name != null) {
        sb.append('/').append(name);
      }
      if (subresource != null) {
        sb.append('/').append(subresource);
      }
      return sb.toString();
    }
    if (arn != null) {
      return arn;
    }
    if (name != null) {
      return name;
    }
    return type == null ? "unknown target" : type;
  }

  /** Mutable builder used by the parsers. */
  public static final class Builder {
    private String type;
    private String account;
    private String region;
    private String arn;
    private String bucket;
    private String key;
    private String hostedZoneId;
    private String recordName;
    private String namespace;
    private String name;
    private String apiGroup;
    private String resource;
    private String subresource;

    public Builder type(String v) {
      type = v;
      return this;
    }

    public Builder account(String v) {
      account = v;
      return this;
    }

    public Builder region(String v) {
      region = v;
      return this;
    }

    public Builder arn(String v) {
      arn = v;
      return this;
    }

    public Builder bucket(String v) {
      bucket = v;
      return this;
    }

    public Builder key(String v) {
      key = v;
      return this;
    }

    public Builder hostedZoneId(String v) {
      hostedZoneId = v;
      return this;
    }

    public Builder recordName(String v) {
      recordName = v;
      return this;
    }

    public Builder namespace(String v) {
      namespace = v;
      return this;
    }

    public Builder name(String v) {
      name = v;
      return this;
    }

    public Builder apiGroup(String v) {
      apiGroup = v;
      return this;
    }

    public Builder resource(String v) {
      resource = v;
      return this;
    }

    public Builder subresource(String v) {
      subresource = v;
      return this;
    }

    public Target build() {
      return new Target(this);
    }
  }
}
