package dev.portcullis.alert;

import java.time.Duration;
import java.util.List;

/**
 * What alerting needs to know about a policy, behind a seam of its own: how long its repeats are
 * folded into one page, and the owner and tags routes select on. The default reads the loaded
 * policy metadata ({@link PolicyMetadataAlerting}); another bean may replace it.
 */
public interface PolicyAlerting {

  /**
   * The alerting facts of a policy; never null (an unknown policy gets the configured defaults).
   */
  Facts of(String policyId);

  /**
   * @param dedupWindow how long, in event time from the first page, repeats are folded into it
   * @param owner the team that answers for the policy, or null
   * @param tags the policy's free labels
   */
  record Facts(Duration dedupWindow, String owner, List<String> tags) {

    public Facts {
      tags = tags == null ? List.of() : List.copyOf(tags);
    }
  }
}
