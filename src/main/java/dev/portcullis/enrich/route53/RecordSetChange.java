package dev.portcullis.enrich.route53;

/**
 * One change of a {@code ChangeResourceRecordSets} batch.
 *
 * @param action {@code CREATE}, {@code DELETE} or {@code UPSERT}
 * @param recordSet the record set it creates, deletes or writes (a DELETE names the set exactly as
 *     it is, weight included: Route53 rejects a DELETE whose values differ)
 */
public record RecordSetChange(String action, RecordSet recordSet) {

  public static final String CREATE = "CREATE";
  public static final String DELETE = "DELETE";
  public static final String UPSERT = "UPSERT";

  public boolean isDelete() {
    return DELETE.equals(action);
  }
}
