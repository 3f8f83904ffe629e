package dev.portcullis.alert;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts what alerts are sent to, once per test JVM, and points Portcullis at it: a fake PagerDuty,
 * two fake Slack webhooks (the second routed critical findings only), a CloudEvents receiver and a
 * real Alertmanager. Retries, circuit breakers and rate limits are tightened so an outage and its
 * recovery play out in seconds.
 */
public class AlertReceiversResource implements QuarkusTestResourceLifecycleManager {

  static final String ROUTING_KEY = "R0UT1NGK3Y0000000000000000000000";

  static FakePagerDuty pagerDuty;
  static FakeSlack slack;
  static FakeSlack criticalSlack;
  static CloudEventsReceiver webhook;
  static RealAlertmanager alertmanager;

  static synchronized void startReceivers() {
    if (pagerDuty == null) {
      pagerDuty = (FakePagerDuty) new FakePagerDuty(ROUTING_KEY).start();
      slack = (FakeSlack) new FakeSlack().start();
      criticalSlack = (FakeSlack) new FakeSlack().start();
      webhook = (CloudEventsReceiver) new CloudEventsReceiver().start();
      alertmanager = new RealAlertmanager().start();
    }
  }

  @Override
  public Map<String, String> start() {
    startReceivers();
    Map<String, String> c = new HashMap<>();
    c.put("portcullis.alert.pagerduty.routing-key", ROUTING_KEY);
    c.put("portcullis.alert.pagerduty.url", pagerDuty.url());
    c.put("portcullis.alert.alertmanager.url", alertmanager.url());
    c.put("portcullis.alert.alertmanager.extra-labels.cluster", "portcullis-test");
    c.put("portcullis.alert.slack.url", slack.url());
    c.put("portcullis.alert.slack.critical-only.url", criticalSlack.url());
    c.put("portcullis.alert.slack.critical-only.route.min-severity", "critical");
    c.put("portcullis.alert.webhook.url", webhook.url());
    for (String sink :
        new String[] {"pagerduty", "alertmanager", "slack", "slack.critical-only", "webhook"}) {
      String p = "portcullis.alert." + sink + ".";
      c.put(p + "retry.initial-backoff", "PT0.05S");
      c.put(p + "retry.max-backoff", "PT0.5S");
      c.put(p + "circuit-breaker.failure-threshold", "3");
      c.put(p + "circuit-breaker.open-for", "PT0.5S");
      c.put(p + "rate-limit", "0");
      c.put(p + "timeout", "PT5S");
    }
    return c;
  }

  @Override
  public void stop() {
    // Shared by the alerting test classes; stopped when the test JVM exits.
  }
}
