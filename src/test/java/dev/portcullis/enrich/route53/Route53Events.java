package dev.portcullis.enrich.route53;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.testing.Events;
import java.time.Instant;
import java.util.UUID;

/**
 * Route53 CloudTrail records in their real shape, built for unit tests and decoded as the stream
 * does.
 */
final class Route53Events {

  static final ObjectMapper JSON = new ObjectMapper();
  static final EventDecoder DECODER = new EventDecoder(JSON, 1 << 20);

  private Route53Events() {}

  static ObjectNode weighted(String action, String name, String member, long weight) {
    ObjectNode c = JSON.createObjectNode().put("action", action);
    ObjectNode rrs = c.putObject("resourceRecordSet");
    rrs.put("name", name).put("type", "A").put("setIdentifier", member).put("weight", weight);
    rrs.putObject("aliasTarget")
        .put("hostedZoneId", "Z35SXDOTRQ7X7K")
        .put("dNSName", member + "-lb-1234567890.us-east-1.elb.amazonaws.com")
        .put("evaluateTargetHealth", true);
    return c;
  }

  static ObjectNode simple(String action, String name, String type, String value) {
    ObjectNode c = JSON.createObjectNode().put("action", action);
    ObjectNode rrs = c.putObject("resourceRecordSet");
    rrs.put("name", name).put("type", type).put("tTL", 300);
    rrs.putArray("resourceRecords").addObject().put("value", value);
    return c;
  }

  /** A ChangeResourceRecordSets record that took effect. */
  static ChangeEvent crrs(String time, String zone, ObjectNode... changes) {
    return decode(record(time, zone, null, changes));
  }

  /** A ChangeResourceRecordSets record Route53 rejected. */
  static ChangeEvent rejected(String time, String zone, ObjectNode... changes) {
    return decode(record(time, zone, "InvalidChangeBatch", changes));
  }

  static ObjectNode record(String time, String zone, String errorCode, ObjectNode... changes) {
    ObjectNode e = JSON.createObjectNode();
    e.put("eventVersion", "1.09");
    ObjectNode who = e.putObject("userIdentity");
    who.put("type", "IAMUser")
        .put("principalId", "AIDA4EXAMPLEALICE0001")
        .put("arn", "arn:aws:iam::111122223333:user/alice")
        .put("accountId", "111122223333")
        .put("userName", "alice");
    e.put("eventTime", time);
    e.put("eventSource", "route53.amazonaws.com");
    e.put("eventName", "ChangeResourceRecordSets");
    e.put("awsRegion", "us-east-1");
    e.put("sourceIPAddress", "198.51.100.23");
    e.put("userAgent", "aws-cli/2.15.30 md/command#route53.change-resource-record-sets");
    ObjectNode req = e.putObject("requestParameters");
    req.put("hostedZoneId", zone);
    ArrayNode list = req.putObject("changeBatch").putArray("changes");
    for (ObjectNode c : changes) {
      list.add(c);
    }
    if (errorCode != null) {
      e.put("errorCode", errorCode);
      e.put("errorMessage", "[Tried to create resource record set but it already exists]");
      e.putNull("responseElements");
    } else {
      e.putObject("responseElements")
          .putObject("changeInfo")
          .put("id", "/change/C0123456789EXAMPLE")
          .put("status", "PENDING")
          .put("submittedAt", "Nov 24, 2026 10:15:00 AM");
    }
    e.put("requestID", UUID.randomUUID().toString());
    e.put("eventID", UUID.randomUUID().toString());
    e.put("readOnly", false);
    e.put("eventType", "AwsApiCall");
    e.put("managementEvent", true);
    e.put("recipientAccountId", "111122223333");
    return e;
  }

  /** Any other CloudTrail record (a read), to move event time on. */
  static ChangeEvent getChange(String time) {
    ObjectNode e = record(time, "Z1", null);
    e.put("eventName", "GetChange").put("readOnly", true);
    e.set("requestParameters", JSON.createObjectNode().put("id", "C0123456789EXAMPLE"));
    e.putNull("responseElements");
    return decode(e);
  }

  /** A Kubernetes audit event at the given time. */
  static ChangeEvent kubernetes(String time) {
    String json =
        Events.load("secret-create.json", UUID.randomUUID().toString())
            .replace("STAGE", "ResponseComplete")
            .replace("2026-11-20T09:16:00.000000Z", time)
            .replace("2026-11-20T09:16:00.020000Z", time);
    return decode(Events.tree(json));
  }

  static ChangeEvent decode(ObjectNode record) {
    try {
      return DECODER.decode(JSON.writeValueAsBytes(record), Instant.EPOCH).events().get(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
