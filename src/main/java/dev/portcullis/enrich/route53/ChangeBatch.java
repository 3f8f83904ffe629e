package dev.portcullis.enrich.route53;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.event.ChangeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The typed reading of a CloudTrail {@code ChangeResourceRecordSets} record: the hosted zone
 * ({@code requestParameters.hostedZoneId}, bare or {@code /hostedzone/Z...}) and the changes of
 * {@code requestParameters.changeBatch.changes} in order. Changes without an action, a name or a
 * type are skipped (Route53 would have rejected the batch).
 *
 * @param zoneId bare hosted zone id ({@code Z123})
 * @param changes the changes, in the order of the batch
 */
public record ChangeBatch(String zoneId, List<RecordSetChange> changes) {

  /** CloudTrail's event name (also the API's name). */
  public static final String EVENT_NAME = "ChangeResourceRecordSets";

  /** CloudTrail's event source of Route53's API. */
  public static final String SERVICE = "route53.amazonaws.com";

  /** The batch of a Route53 {@code ChangeResourceRecordSets} event; empty for any other event. */
  public static Optional<ChangeBatch> of(ChangeEvent e) {
    if (!ChangeEvent.CLOUDTRAIL.equals(e.getSource())
        || !EVENT_NAME.equals(e.getAction())
        || !SERVICE.equals(e.getService())) {
      return Optional.empty();
    }
    return of(e.getRequest());
  }

  /** Reads {@code requestParameters}; empty when it names no hosted zone. */
  public static Optional<ChangeBatch> of(JsonNode request) {
    if (request == null || !request.isObject()) {
      return Optional.empty();
    }
    String zone = Route53Names.zoneId(RecordSet.text(request, "hostedZoneId", "HostedZoneId"));
    if (zone == null) {
      return Optional.empty();
    }
    List<RecordSetChange> out = new ArrayList<>();
    JsonNode batch = RecordSet.field(request, "changeBatch", "ChangeBatch");
    JsonNode changes = batch == null ? null : RecordSet.field(batch, "changes", "Changes");
    if (changes != null) {
      // One change may arrive as an object rather than a one-element list.
      Iterable<JsonNode> items = changes.isArray() ? changes : List.of(changes);
      for (JsonNode c : items) {
        String action = RecordSet.text(c, "action", "Action");
        RecordSet rrs = RecordSet.of(RecordSet.field(c, "resourceRecordSet", "ResourceRecordSet"));
        if (action != null && rrs != null) {
          out.add(new RecordSetChange(action.trim().toUpperCase(Locale.ROOT), rrs));
        }
      }
    }
    return Optional.of(new ChangeBatch(zone, List.copyOf(out)));
  }
}
