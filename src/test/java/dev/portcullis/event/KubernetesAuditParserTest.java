package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kubernetes audit events as the API server writes them (audit.k8s.io/v1 and v1beta1). */
class KubernetesAuditParserTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant ARRIVAL = Instant.parse("2030-01-01T00:00:00Z");
  final KubernetesAuditParser parser = new KubernetesAuditParser();

  ChangeEvent parse(String json) {
    try {
      return parser.parse((ObjectNode) JSON.readTree(json), ARRIVAL);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A ResponseComplete event of {@code verb} on a Deployment by the given user block. */
  static String deploymentEvent(String verb, String user, String userAgent, String extra) {
    return """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",
         "auditID":"5f0a4a2e-6a7b-4c1d-9e8f-0a1b2c3d4e5f","stage":"ResponseComplete",
         "requestURI":"/apis/apps/v1/namespaces/payments/deployments/api","verb":"%s",
         "user":%s,"sourceIPs":["10.0.12.7"],"userAgent":"%s",
         "objectRef":{"resource":"deployments","namespace":"payments","name":"api",
           "apiGroup":"apps","apiVersion":"v1"},
         "responseStatus":{"metadata":{},"code":200},
         "requestReceivedTimestamp":"2024-07-30T21:31:21.123456Z",
         "stageTimestamp":"2024-07-30T21:31:21.145678Z",
         "annotations":{"authorization.k8s.io/decision":"allow",
           "authorization.k8s.io/reason":""}%s}
        """
        .formatted(verb, user, userAgent, extra);
  }

  static final String KUBECTL = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350";

  @Nested
  class Actors {

    @Test
    void aPersonIsAHuman() {
      Actor a =
          parse(
                  deploymentEvent(
                      "patch",
                      """
                      {"username":"alice@example.com","uid":"aws-iam-authenticator:111122223333:AROAEXAMPLE",
                       "groups":["system:authenticated","platform-admins"],
                       "extra":{"accessKeyId":["ASIAEXAMPLEKEY"]}}
                      """,
                      KUBECTL,
                      ""))
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
      assertThat(a.getPrincipal()).isEqualTo("alice@example.com");
      assertThat(a.getName()).isEqualTo("alice@example.com");
      assertThat(a.getGroups()).containsExactly("system:authenticated", "platform-admins");
      assertThat(a.getSourceIp()).isEqualTo("10.0.12.7");
      assertThat(a.getUserAgent()).isEqualTo(KUBECTL);
      assertThat(a.getImpersonatedBy()).isNull();
      assertThat(a.getIacTool()).isNull();
    }

    @Test
    void aServiceAccountIsNamedByItsShortName() {
      Actor a =
          parse(
                  deploymentEvent(
                      "update",
                      """
                      {"username":"system:serviceaccount:ci:deployer",
                       "uid":"2b6d7f0c-1111-4a2b-9c3d-000000000002",
                       "groups":["system:serviceaccounts","system:serviceaccounts:ci","system:authenticated"]}
                      """,
                      "Go-http-client/2.0",
                      ""))
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.SERVICE_ACCOUNT);
      assertThat(a.getPrincipal()).isEqualTo("system:serviceaccount:ci:deployer");
      assertThat(a.getName()).isEqualTo("deployer");
    }

    @Test
    void anonymousIsAnonymous() {
      Actor a =
          parse(
                  deploymentEvent(
                      "get",
                      """
                      {"username":"system:anonymous","groups":["system:unauthenticated"]}
                      """,
                      "curl/8.5.0",
                      ""))
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.ANONYMOUS);
      assertThat(a.isHuman()).isFalse();
    }

    @Test
    void controlPlaneComponentsAreSystem() {
      Actor a =
          parse(
                  deploymentEvent(
                      "update",
                      """
                      {"username":"system:kube-controller-manager","groups":["system:authenticated"]}
                      """,
                      "kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/3968350/system:serviceaccount:kube-system:deployment-controller",
                      ""))
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.SYSTEM);
      assertThat(a.getName()).isEqualTo("system:kube-controller-manager");
    }

    @Test
    void nodesAreSystemByNameOrGroup() {
      Actor byName =
          parse(
                  deploymentEvent(
                      "patch",
                      """
                      {"username":"system:node:ip-10-0-12-7.eu-west-1.compute.internal",
                       "groups":["system:nodes","system:authenticated"]}
                      """,
                      "kubelet/v1.30.2 (linux/amd64) kubernetes/3968350",
                      ""))
              .getActor();
      assertThat(byName.getType()).isEqualTo(Actor.Type.SYSTEM);
      Actor byGroup =
          parse(
                  deploymentEvent(
                      "patch",
                      """
                      {"username":"kubelet-nodepool-bootstrap","groups":["system:nodes","system:authenticated"]}
                      """,
                      "kubelet/v1.30.2 (linux/amd64) kubernetes/3968350",
                      ""))
              .getActor();
      assertThat(byGroup.getType()).isEqualTo(Actor.Type.SYSTEM);
      Actor eks =
          parse(
                  deploymentEvent(
                      "patch",
                      """
                      {"username":"eks:addon-manager","groups":["system:authenticated"]}
                      """,
                      "eks-addon-manager/v1.0.0",
                      ""))
              .getActor();
      assertThat(eks.getType()).isEqualTo(Actor.Type.SYSTEM);
    }

    @Test
    void impersonationMakesTheImpersonatedUserThePrincipal() {
      ChangeEvent e =
          parse(
              deploymentEvent(
                  "delete",
                  """
                  {"username":"alice@example.com","groups":["system:authenticated","platform-admins"]}
                  """,
                  KUBECTL,
                  """
                  ,"impersonatedUser":{"username":"bob","groups":["developers","system:authenticated"]}
                  """));
      Actor a = e.getActor();
      assertThat(a.getPrincipal()).isEqualTo("bob");
      assertThat(a.getName()).isEqualTo("bob");
      assertThat(a.getImpersonatedBy()).isEqualTo("alice@example.com");
      assertThat(a.getGroups()).containsExactly("developers", "system:authenticated");
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
    }

    @Test
    void impersonatingAServiceAccountMakesItTheActor() {
      Actor a =
          parse(
                  deploymentEvent(
                      "delete",
                      """
                      {"username":"alice@example.com","groups":["system:authenticated"]}
                      """,
                      KUBECTL,
                      """
                      ,"impersonatedUser":{"username":"system:serviceaccount:ci:deployer",
                        "groups":["system:serviceaccounts","system:authenticated"]}
                      """))
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.SERVICE_ACCOUNT);
      assertThat(a.getName()).isEqualTo("deployer");
      assertThat(a.getImpersonatedBy()).isEqualTo("alice@example.com");
    }

    @Test
    void argoCdIsIacByItsServiceAccountOrUserAgent() {
      Actor a =
          parse(
                  deploymentEvent(
                      "patch",
                      """
                      {"username":"system:serviceaccount:argocd:argocd-application-controller",
                       "groups":["system:serviceaccounts","system:serviceaccounts:argocd","system:authenticated"]}
                      """,
                      "argocd-application-controller/v2.11.7+e4a0246 (linux/amd64) kubernetes/$Format",
                      ""))
              .getActor();
      assertThat(a.getIacTool()).isEqualTo("argocd");
      assertThat(a.getType()).isEqualTo(Actor.Type.IAC);
      assertThat(a.getName()).isEqualTo("argocd-application-controller");
    }

    @Test
    void fluxControllersAreIac() {
      for (String sa : new String[] {"kustomize-controller", "helm-controller"}) {
        Actor a =
            parse(
                    deploymentEvent(
                        "patch",
                        """
                        {"username":"system:serviceaccount:flux-system:%s",
                         "groups":["system:serviceaccounts","system:serviceaccounts:flux-system","system:authenticated"]}
                        """
                            .formatted(sa),
                        sa + "/v1.3.0",
                        ""))
                .getActor();
        assertThat(a.getIacTool()).as(sa).isEqualTo("flux");
        assertThat(a.getType()).as(sa).isEqualTo(Actor.Type.IAC);
      }
    }

    @Test
    void aPersonRunningHelmStaysAHuman() {
      Actor a =
          parse(
                  deploymentEvent(
                      "create",
                      """
                      {"username":"alice@example.com","groups":["system:authenticated"]}
                      """,
                      "Helm/3.15.3",
                      ""))
              .getActor();
      assertThat(a.getIacTool()).isEqualTo("helm");
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
    }

    @Test
    void anEventWithoutUserHasAnUnknownActor() {
      Actor a =
          parse(
                  """
                  {"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"0b8d1b1a-0000-4000-8000-000000000003",
                   "stage":"ResponseComplete","verb":"get","requestURI":"/healthz",
                   "requestReceivedTimestamp":"2024-07-30T21:31:21.000000Z"}
                  """)
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.UNKNOWN);
      assertThat(a.getPrincipal()).isEqualTo("unknown");
    }
  }

  @Nested
  class Targets {

    @Test
    void objectRefGivesNamespaceNameResourceAndGroup() {
      ChangeEvent e =
          parse(
              deploymentEvent(
                  "patch",
                  "{\"username\":\"alice@example.com\",\"groups\":[\"system:authenticated\"]}",
                  KUBECTL,
                  ""));
      Target t = e.getTarget();
      assertThat(t.getNamespace()).isEqualTo("payments");
      assertThat(t.getName()).isEqualTo("api");
      assertThat(t.getResource()).isEqualTo("deployments");
      assertThat(t.getType()).isEqualTo("deployments");
      assertThat(t.getApiGroup()).isEqualTo("apps");
      assertThat(t.getSubresource()).isNull();
      assertThat(t.describe()).isEqualTo("payments/deployments/api");
      assertThat(e.getService()).isEqualTo("apps/v1");
      assertThat(e.getAction()).isEqualTo("patch");
      assertThat(e.isReadOnly()).isFalse();
    }

    @Test
    void aSubresourceIsKept() {
      ChangeEvent e =
          parse(
              """
              {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",
               "auditID":"9d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6","stage":"ResponseComplete",
               "requestURI":"/api/v1/namespaces/payments/pods/api-7d4b9c6f5-x2x9k/exec?command=sh&container=api&stdin=true&tty=true",
               "verb":"create","user":{"username":"alice@example.com","groups":["system:authenticated"]},
               "sourceIPs":["10.0.12.7"],"userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/3968350",
               "objectRef":{"resource":"pods","namespace":"payments","name":"api-7d4b9c6f5-x2x9k",
                 "apiVersion":"v1","subresource":"exec"},
               "responseStatus":{"metadata":{},"code":101},
               "requestReceivedTimestamp":"2024-07-30T21:31:21.000000Z",
               "stageTimestamp":"2024-07-30T21:33:01.000000Z"}
              """);
      Target t = e.getTarget();
      assertThat(t.getResource()).isEqualTo("pods");
      assertThat(t.getSubresource()).isEqualTo("exec");
      assertThat(t.getApiGroup()).isNull();
      assertThat(t.describe()).isEqualTo("payments/pods/api-7d4b9c6f5-x2x9k/exec");
      assertThat(e.getService()).isEqualTo("v1");
      assertThat(e.getOutcome().getSucceeded()).isTrue();
    }

    @Test
    void aCreateNamesTheObjectFromItsRequestObject() {
      // objectRef has no name on create: the name is in the request body.
      ChangeEvent e =
          parse(
              """
              {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request",
               "auditID":"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","stage":"ResponseComplete",
               "requestURI":"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?fieldManager=kubectl-create",
               "verb":"create","user":{"username":"alice@example.com","groups":["system:authenticated"]},
               "sourceIPs":["10.0.12.7"],"userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/3968350",
               "objectRef":{"resource":"clusterrolebindings","apiGroup":"rbac.authorization.k8s.io",
                 "apiVersion":"v1"},
               "responseStatus":{"metadata":{},"code":201},
               "requestObject":{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1",
                 "metadata":{"name":"alice-cluster-admin","creationTimestamp":null},
                 "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice@example.com"}],
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"}},
               "requestReceivedTimestamp":"2024-07-30T21:31:21.000000Z",
               "stageTimestamp":"2024-07-30T21:31:21.010000Z"}
              """);
      Target t = e.getTarget();
      assertThat(t.getName()).isEqualTo("alice-cluster-admin");
      assertThat(t.getNamespace()).isNull();
      assertThat(t.describe()).isEqualTo("clusterrolebindings/alice-cluster-admin");
      assertThat(e.getService()).isEqualTo("rbac.authorization.k8s.io/v1");
      assertThat(e.requestText("/roleRef/name")).isEqualTo("cluster-admin");
    }
  }

  @Nested
  class Outcomes {

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 409, 422, 500})
    void aResponseCodeOf400OrMoreFailed(int code) {
      ChangeEvent e =
          parse(
              deploymentEvent(
                      "delete",
                      "{\"username\":\"bob\",\"groups\":[\"system:authenticated\"]}",
                      KUBECTL,
                      "")
                  .replace(
                      "\"responseStatus\":{\"metadata\":{},\"code\":200}",
                      "\"responseStatus\":{\"metadata\":{},\"status\":\"Failure\","
                          + "\"message\":\"deployments.apps \\\"api\\\" is forbidden\","
                          + "\"reason\":\"Forbidden\",\"code\":"
                          + code
                          + "}"));
      Outcome o = e.getOutcome();
      assertThat(o.getSucceeded()).isFalse();
      assertThat(o.getResponseCode()).isEqualTo(code);
      assertThat(o.getErrorCode()).isEqualTo("Forbidden");
      assertThat(o.getErrorMessage()).contains("is forbidden");
      assertThat(e.isEffectiveWrite()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 101, 399})
    void aResponseCodeBelow400Succeeded(int code) {
      ChangeEvent e =
          parse(
              deploymentEvent("update", "{\"username\":\"bob\"}", KUBECTL, "")
                  .replace("\"code\":200", "\"code\":" + code));
      assertThat(e.getOutcome().getSucceeded()).isTrue();
      assertThat(e.getOutcome().getErrorCode()).isNull();
      assertThat(e.isEffectiveWrite()).isTrue();
    }

    @Test
    void aDryRunRequestIsNoEffectiveWrite() {
      ChangeEvent e =
          parse(
              deploymentEvent("patch", "{\"username\":\"bob\"}", KUBECTL, "")
                  .replace(
                      "/deployments/api\"",
                      "/deployments/api?dryRun=All&fieldManager=kubectl-client-side-apply\""));
      assertThat(e.getOutcome().isDryRun()).isTrue();
      assertThat(e.getOutcome().getSucceeded()).isTrue();
      assertThat(e.isEffectiveWrite()).isFalse();
    }

    @Test
    void aRequestWithoutDryRunIsNoDryRun() {
      ChangeEvent e =
          parse(
              deploymentEvent("patch", "{\"username\":\"bob\"}", KUBECTL, "")
                  .replace("/deployments/api\"", "/deployments/api?fieldManager=kubectl-edit\""));
      assertThat(e.getOutcome().isDryRun()).isFalse();
      assertThat(KubernetesAuditParser.isDryRun("/api/v1/namespaces/a/pods?dryRun=")).isFalse();
      assertThat(KubernetesAuditParser.isDryRun("/api/v1/namespaces/a/pods?dryRun=All")).isTrue();
      assertThat(KubernetesAuditParser.isDryRun("/api/v1/pods?x=1&dryRun=All")).isTrue();
      assertThat(KubernetesAuditParser.isDryRun("/api/v1/pods/dryRun=All")).isFalse();
    }

    @Test
    void requestReceivedHasNoOutcomeYet() {
      ChangeEvent e =
          parse(
              """
              {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request",
               "auditID":"5f0a4a2e-6a7b-4c1d-9e8f-0a1b2c3d4e5f","stage":"RequestReceived",
               "requestURI":"/apis/apps/v1/namespaces/payments/deployments/api","verb":"delete",
               "user":{"username":"bob","groups":["system:authenticated"]},"sourceIPs":["10.0.12.7"],
               "userAgent":"kubectl/v1.30.2","objectRef":{"resource":"deployments","namespace":"payments",
                 "name":"api","apiGroup":"apps","apiVersion":"v1"},
               "requestReceivedTimestamp":"2024-07-30T21:31:21.123456Z",
               "stageTimestamp":"2024-07-30T21:31:21.123456Z"}
              """);
      Outcome o = e.getOutcome();
      assertThat(o.getSucceeded()).isNull();
      assertThat(o.getResponseCode()).isNull();
      assertThat(o.getStage()).isEqualTo("RequestReceived");
      assertThat(o.isFailed()).isFalse();
      assertThat(KubernetesAuditParser.isPreliminaryStage(o.getStage())).isTrue();
    }

    @Test
    void stagesRankFromReceivedToComplete() {
      assertThat(KubernetesAuditParser.stageRank("RequestReceived"))
          .isLessThan(KubernetesAuditParser.stageRank("ResponseStarted"));
      assertThat(KubernetesAuditParser.stageRank("ResponseStarted"))
          .isLessThan(KubernetesAuditParser.stageRank("ResponseComplete"));
      assertThat(KubernetesAuditParser.stageRank("ResponseComplete"))
          .isLessThan(KubernetesAuditParser.stageRank("Panic"));
      assertThat(KubernetesAuditParser.stageRank(null))
          .isGreaterThan(KubernetesAuditParser.stageRank("ResponseComplete"));
      assertThat(KubernetesAuditParser.isPreliminaryStage("ResponseComplete")).isFalse();
    }
  }

  @Nested
  class TimesAndIds {

    @Test
    void theTimeIsWhenTheRequestWasReceived() {
      ChangeEvent e = parse(deploymentEvent("patch", "{\"username\":\"bob\"}", KUBECTL, ""));
      assertThat(e.getEventTime()).isEqualTo(Instant.parse("2024-07-30T21:31:21.123456Z"));
      assertThat(e.isEventTimeEstimated()).isFalse();
      assertThat(e.getId()).isEqualTo("5f0a4a2e-6a7b-4c1d-9e8f-0a1b2c3d4e5f");
      assertThat(e.isIdFromContent()).isFalse();
      assertThat(e.getSource()).isEqualTo(ChangeEvent.K8S_AUDIT);
    }

    @Test
    void v1beta1EventsUseTheirTimestamp() {
      ChangeEvent e =
          parse(
              """
              {"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","metadata":{"creationTimestamp":"2019-03-04T10:15:30Z"},
               "level":"Request","timestamp":"2019-03-04T10:15:30Z",
               "auditID":"6e4d3c2b-1a09-4f8e-9d7c-6b5a49382716","stage":"ResponseComplete",
               "requestURI":"/api/v1/namespaces/default/configmaps/app","verb":"update",
               "user":{"username":"minikube-user","groups":["system:masters","system:authenticated"]},
               "sourceIPs":["192.168.99.1"],
               "objectRef":{"resource":"configmaps","namespace":"default","name":"app","apiVersion":"v1"},
               "responseStatus":{"metadata":{},"code":200}}
              """);
      assertThat(e.getEventTime()).isEqualTo(Instant.parse("2019-03-04T10:15:30Z"));
      assertThat(e.isEventTimeEstimated()).isFalse();
      assertThat(e.getTarget().describe()).isEqualTo("default/configmaps/app");
    }

    @Test
    void anEventWithoutTimeOrIdGetsArrivalTimeAndContentHash() {
      String json =
          """
          {"verb":"delete","requestURI":"/api/v1/namespaces/prod","user":{"username":"bob"},
           "objectRef":{"resource":"namespaces","name":"prod","apiVersion":"v1"},
           "responseStatus":{"code":200}}
          """;
      ChangeEvent e = parse(json);
      assertThat(e.getEventTime()).isEqualTo(ARRIVAL);
      assertThat(e.isEventTimeEstimated()).isTrue();
      assertThat(e.isIdFromContent()).isTrue();
      assertThat(e.getId()).startsWith("sha256:");
      assertThat(parse(json.replace("\n", "  ")).getId()).isEqualTo(e.getId());
    }

    @Test
    void pantherExportTimeIsRead() {
      ChangeEvent e =
          parse(
              """
              {"verb":"create","requestURI":"/api/v1/namespaces/default/pods",
               "user":{"username":"bob"},"p_event_time":"2022-11-29 00:09:04.38",
               "objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"}}
              """);
      assertThat(e.getEventTime()).isEqualTo(Instant.parse("2022-11-29T00:09:04.380Z"));
      assertThat(e.isEventTimeEstimated()).isFalse();
    }
  }
}
