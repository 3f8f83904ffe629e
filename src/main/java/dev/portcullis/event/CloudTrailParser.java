package dev.portcullis.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns one CloudTrail record (the object CloudTrail writes in {@code Records[]}, or EventBridge's
 * {@code detail}) into a {@link ChangeEvent}.
 *
 * <p>Lenient by design: real records and the fixtures of peer projects leave out fields, write
 * {@code sessionCredentialFromConsole} as a boolean or a string, use several time formats and
 * sometimes a JSON string for {@code requestParameters}. Only a record that is not an object fails.
 */
public final class CloudTrailParser {

  /** Fields that name the resource in {@code requestParameters}, most specific first. */
  private static final List<String> NAME_FIELDS =
      List.of(
          "secretId",
          "name",
          "roleName",
          "userName",
          "policyName",
          "functionName",
          "groupName",
          "trailName",
          "instanceId",
          "keyId",
          "clusterName",
          "repositoryName",
          "tableName",
          "dBInstanceIdentifier",
          "logGroupName",
          "stackName",
          "topicArn",
          "queueUrl",
          "detectorId");

  /**
   * Where a record's own time is, first found wins: CloudTrail's {@code eventTime}, then the copies
   * that exports keep when they drop or reformat it: Panther's {@code p_event_time}, and the
   * Logstash timestamp field ({@code "@timestamp"}) that its date filter sets from {@code
   * eventTime}.
   */
  private static final List<String> TIME_FIELDS =
      List.of("eventTime", "p_event_time", "@timestamp");

  private final ObjectMapper mapper;

  public CloudTrailParser(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Parses a record; secret material is removed from {@code record} in place first.
   *
   * @param arrival when the record reached us, used only when it carries no readable time
   */
  public ChangeEvent parse(ObjectNode record, Instant arrival) {
    List<String> redacted = new ArrayList<>(SecretRedactor.redact(record));
    JsonNode request = requestParameters(record, redacted);

    String eventId = Json.text(record, "eventID");
    boolean idFromContent = eventId == null;
    String id = idFromContent ? ContentHash.of(record) : eventId;

    Instant time = null;
    for (String f : TIME_FIELDS) {
      time = EventTimes.parse(Json.text(record, f)).orElse(null);
      if (time != null) {
        break;
      }
    }
    boolean estimated = time == null;
    if (estimated) {
      time = arrival;
    }

    String action = Json.text(record, "eventName");
    Actor actor = actor(record);
    String errorCode = Json.text(record, "errorCode");
    boolean dryRun = errorCode != null && errorCode.endsWith("DryRunOperation");

    return ChangeEvent.builder()
        .id(id, idFromContent)
        .source(ChangeEvent.CLOUDTRAIL)
        .eventTime(time, estimated)
        .service(Json.text(record, "eventSource"))
        .action(action)
        .readOnly(readOnly(record, action))
        .actor(actor)
        .target(target(record, request, actor))
        .outcome(
            new Outcome(
                errorCode == null,
                errorCode,
                Json.text(record, "errorMessage"),
                null,
                dryRun,
                null))
        .request(request)
        .response(record.get("responseElements"))
        .raw(record)
        .redacted(redacted)
        .build();
  }

  /**
   * The request parameters. A few exports carry them as a JSON string: it is read, and secret
   * material in it is removed from both the parsed form and the string in {@code record} (its paths
   * are reported below {@code /requestParameters} as if it were an object).
   */
  private JsonNode requestParameters(ObjectNode record, List<String> redacted) {
    JsonNode rp = record.get("requestParameters");
    if (rp != null && rp.isTextual()) {
      try {
        JsonNode parsed = mapper.readTree(rp.textValue());
        if (parsed != null && parsed.isObject()) {
          List<String> inner = SecretRedactor.redact(parsed);
          if (!inner.isEmpty()) {
            record.put("requestParameters", mapper.writeValueAsString(parsed));
            inner.forEach(p -> redacted.add("/requestParameters" + p));
          }
          return parsed;
        }
      } catch (java.io.IOException ignored) {
        // keep the text as it is
      }
    }
    return rp;
  }

  private static boolean readOnly(JsonNode record, String action) {
    JsonNode ro = record.get("readOnly");
    if (ro != null && !ro.isNull()) {
      return Json.truthy(record, "readOnly");
    }
    if (action == null) {
      return false;
    }
    return action.startsWith("Get")
        || action.startsWith("List")
        || action.startsWith("Describe")
        || action.startsWith("Head")
        || action.startsWith("Lookup")
        || action.startsWith("BatchGet");
  }

  static Actor actor(JsonNode record) {
    JsonNode ui = Json.object(record, "userIdentity");
    String uiType = Json.text(ui, "type");
    String arn = Json.text(ui, "arn");
    String invokedBy = Json.text(ui, "invokedBy");
    JsonNode issuer = ui == null ? null : ui.path("sessionContext").path("sessionIssuer");
    String issuerArn = Json.text(issuer, "arn");
    String issuerName = Json.text(issuer, "userName");
    String userAgent = Json.text(record, "userAgent");

    String principal = arn;
    if (principal == null) {
      principal = "AWSService".equals(uiType) ? invokedBy : Json.text(ui, "principalId");
    }
    if (principal == null) {
      principal = Json.text(ui, "userName");
    }
    if (principal == null && invokedBy != null) {
      principal = invokedBy;
    }

    String name = Json.text(ui, "userName");
    if (arn != null && arn.contains(":assumed-role/")) {
      name = arn.substring(arn.lastIndexOf('/') + 1);
    } else if ("Root".equals(uiType)) {
      name = "root";
    } else if (name == null && "AWSService".equals(uiType)) {
      name = invokedBy;
    }

    boolean console =
        Json.truthy(record, "sessionCredentialFromConsole") || isConsoleUserAgent(userAgent);
    String iacTool = iacTool(userAgent, invokedBy);

    Actor.Type type;
    if ("AWSService".equals(uiType) || uiType == null && invokedBy != null && arn == null) {
      type = Actor.Type.AWS_SERVICE;
    } else if (console) {
      type = Actor.Type.HUMAN;
    } else if (iacTool != null) {
      type = Actor.Type.IAC;
    } else if (uiType == null) {
      type = Actor.Type.UNKNOWN;
    } else {
      type =
          switch (uiType) {
            case "Root", "IAMUser", "IdentityCenterUser", "SAMLUser", "FederatedUser" ->
                Actor.Type.HUMAN;
            case "AssumedRole" ->
                isHumanRoleSession(issuerName != null ? issuerName : roleName(arn), name)
                    ? Actor.Type.HUMAN
                    : Actor.Type.SERVICE_ACCOUNT;
            case "WebIdentityUser", "Role" -> Actor.Type.SERVICE_ACCOUNT;
            default -> Actor.Type.UNKNOWN;
          };
    }

    return Actor.builder()
        .principal(principal == null ? "unknown" : principal)
        .type(type)
        .name(name)
        .account(Json.text(ui, "accountId"))
        .userAgent(userAgent)
        .sourceIp(Json.text(record, "sourceIPAddress"))
        .console(console)
        .iacTool(iacTool)
        .sessionIssuer(issuerArn)
        .build();
  }

  /**
   * The role of an assumed-role ARN ({@code arn:aws:sts::1:assumed-role/ROLE/session}), for records
   * that carry no {@code sessionIssuer}.
   */
  private static String roleName(String arn) {
    int at = arn == null ? -1 : arn.indexOf(":assumed-role/");
    if (at < 0) {
      return null;
    }
    String rest = arn.substring(at + ":assumed-role/".length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  /** SSO permission-set roles and sessions named after a person's e-mail are people. */
  private static boolean isHumanRoleSession(String issuerName, String sessionName) {
    return issuerName != null && issuerName.startsWith("AWSReservedSSO_")
        || sessionName != null && sessionName.contains("@");
  }

  static boolean isConsoleUserAgent(String ua) {
    if (ua == null) {
      return false;
    }
    String u = ua.toLowerCase(Locale.ROOT);
    // Consoles of single services call as console.<service>.amazonaws.com (console.ec2...).
    return u.equals("console.amazonaws.com")
        || u.startsWith("console.") && u.endsWith(".amazonaws.com")
        || u.equals("signin.amazonaws.com")
        || u.contains("console.aws.amazon.com")
        || u.contains("s3console/")
        || u.contains("[s3console");
  }

  static String iacTool(String userAgent, String invokedBy) {
    if ("cloudformation.amazonaws.com".equals(invokedBy)) {
      return "cloudformation";
    }
    if (userAgent == null) {
      return null;
    }
    String u = userAgent.toLowerCase(Locale.ROOT);
    // Most specific first: Pulumi's bridged providers and Crossplane's Upjet providers may carry
    // Terraform's product token too, and SDK user agents name the API they call
    // ("api/cloudformation#3.4"), so the CDK CLI and plain CLI calls to CloudFormation mention it
    // without being CloudFormation. The CloudFormation service itself calls as
    // cloudformation.amazonaws.com.
    if (u.contains("pulumi")) {
      return "pulumi";
    }
    if (u.contains("aws-cdk")) {
      return "cdk";
    }
    if (u.contains("crossplane")) {
      return "crossplane";
    }
    if (u.contains("terraform")) {
      return "terraform";
    }
    if (u.contains("cloudformation.amazonaws.com")) {
      return "cloudformation";
    }
    return null;
  }

  private static Target target(JsonNode record, JsonNode request, Actor actor) {
    String service = Json.text(record, "eventSource");
    String bucket = Json.text(request, "bucketName");
    String key = Json.text(request, "key");
    String zone = Json.text(request, "hostedZoneId");
    if (zone == null && service != null && service.startsWith("route53.")) {
      zone = Json.text(request, "id");
    }
    if (zone != null && zone.startsWith("/hostedzone/")) {
      zone = zone.substring("/hostedzone/".length());
    }
    String recordName = singleRecordName(request);

    String name = null;
    if (request != null && request.isObject()) {
      for (String f : NAME_FIELDS) {
        name = Json.text(request, f);
        if (name != null) {
          break;
        }
      }
    }

    String arn = null;
    String type = null;
    JsonNode resources = record.get("resources");
    if (resources != null && resources.isArray() && resources.size() > 0) {
      arn = Json.text(resources.get(0), "ARN");
      type = Json.text(resources.get(0), "type");
    }
    if (type == null) {
      type = inferType(service, bucket, key, zone, recordName);
    }
    String account = Json.text(record, "recipientAccountId");
    return Target.builder()
        .type(type)
        .account(account != null ? account : actor.getAccount())
        .region(Json.text(record, "awsRegion"))
        .arn(arn)
        .bucket(bucket)
        .key(key)
        .hostedZoneId(zone)
        .recordName(recordName)
        .name(name)
        .build();
  }

  /** The record name when every change of a Route53 batch touches the same name. */
  private static String singleRecordName(JsonNode request) {
    if (request == null) {
      return null;
    }
    JsonNode changes = request.path("changeBatch").path("changes");
    if (!changes.isArray() || changes.isEmpty()) {
      return null;
    }
    String name = null;
    for (JsonNode c : changes) {
      String n = Json.text(c.path("resourceRecordSet"), "name");
      if (n == null || name != null && !name.equals(n)) {
        return null;
      }
      name = n;
    }
    return name;
  }

  private static String inferType(
      String service, String bucket, String key, String zone, String recordName) {
    if (service == null) {
      return null;
    }
    if (service.startsWith("s3.")) {
      if (key != null) {
        return "AWS::S3::Object";
      }
      return bucket != null ? "AWS::S3::Bucket" : null;
    }
    if (service.startsWith("route53.") && zone != null) {
      return recordName != null ? "AWS::Route53::RecordSet" : "AWS::Route53::HostedZone";
    }
    if (service.startsWith("secretsmanager.")) {
      return "AWS::SecretsManager::Secret";
    }
    return null;
  }
}
