package dev.portcullis.alert;

import dev.portcullis.policy.PolicyEngine;
import dev.portcullis.policy.PolicyMetadata;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Alerting facts from the policies in force: owner and tags from each policy's metadata, the dedup
 * window from {@code portcullis.alert.policy-dedup-window}, else the policy's own {@code
 * dedupWindow}, else {@code portcullis.alert.dedup-window}.
 *
 * <p>{@link PolicyMetadata} does not declare a dedup window yet (its schema is being extended
 * elsewhere); the component is looked up by name so a policy's {@code dedupWindow} takes effect as
 * soon as the metadata carries it (a {@link Duration}, or an ISO-8601 text such as {@code PT1H}).
 */
@DefaultBean
@ApplicationScoped
public class PolicyMetadataAlerting implements PolicyAlerting {

  private static final Logger LOG = Logger.getLogger(PolicyMetadataAlerting.class);
  private static final Method DEDUP_WINDOW = accessor("dedupWindow");

  private final PolicyEngine engine;
  private final AlertConfig config;

  @Inject
  public PolicyMetadataAlerting(PolicyEngine engine, AlertConfig config) {
    this.engine = engine;
    this.config = config;
  }

  @Override
  public Facts of(String policyId) {
    PolicyMetadata m =
        engine.isLoaded() && policyId != null ? engine.current().policies().get(policyId) : null;
    Duration window = config.policyDedupWindow().get(policyId);
    if (window == null && m != null) {
      window = declaredWindow(m).orElse(null);
    }
    if (window == null || window.isNegative() || window.isZero()) {
      window = config.dedupWindow();
    }
    return m == null ? new Facts(window, null, null) : new Facts(window, m.owner(), m.tags());
  }

  private static Optional<Duration> declaredWindow(PolicyMetadata m) {
    if (DEDUP_WINDOW == null) {
      return Optional.empty();
    }
    try {
      Object v = DEDUP_WINDOW.invoke(m);
      if (v instanceof Duration d) {
        return Optional.of(d);
      }
      if (v instanceof CharSequence s && !s.toString().isBlank()) {
        return Optional.of(Duration.parse(s.toString().trim()));
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warnf("Policy %s: dedupWindow is not usable (%s); the default applies", m.id(), e);
    }
    return Optional.empty();
  }

  private static Method accessor(String name) {
    for (RecordComponent c : PolicyMetadata.class.getRecordComponents()) {
      if (c.getName().equals(name)) {
        return c.getAccessor();
      }
    }
    return null;
  }
}
