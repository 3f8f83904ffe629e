package dev.portcullis.enrich;

import dev.portcullis.event.ChangeEvent;
import java.util.List;

/**
 * Says which lookups an event needs before the rules judge it (for example: a {@code
 * PutBucketLifecycle} needs {@code s3.objects} for the bucket and prefix of each rule). Pure: it
 * reads the event and returns requests; the {@link Lookups} in force answers them. The same
 * enrichers run on the stream, in {@code POST /v1/evaluate} and in policy tests (where the answers
 * come from the case's {@code mocks:}).
 */
public interface Enricher {

  /** The lookups this event needs; empty when none. */
  List<LookupRequest> lookupsFor(ChangeEvent event);
}
