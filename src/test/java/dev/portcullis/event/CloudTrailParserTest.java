package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CloudTrail records in the form CloudTrail writes them, one aspect of the parse at a time. */
class CloudTrailParserTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant ARRIVAL = Instant.parse("2030-01-01T00:00:00Z");
  final CloudTrailParser parser = new CloudTrailParser(JSON);

  static ObjectNode tree(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  ChangeEvent parse(String json) {
    return parser.parse(tree(json), ARRIVAL);
  }

  /** A management event around the given userIdentity, user agent and extra top-level fields. */
  static String withIdentity(String userIdentity, String userAgent, String extra) {
    return """
        {"eventVersion":"1.09","userIdentity":%s,"eventTime":"2024-07-30T21:31:21Z",
         "eventSource":"ec2.amazonaws.com","eventName":"TerminateInstances","awsRegion":"eu-west-1",
         "sourceIPAddress":"198.51.100.23","userAgent":%s,
         "requestParameters":{"instancesSet":{"items":[{"instanceId":"i-0abc1234def567890"}]}},
         "responseElements":null,"requestID":"2a7e7b1c-54b0-4c7e-9d56-0c3f6e3f9a11",
         "eventID":"0c5a1f34-8d21-4b5f-9a0c-6f3c2b1d4e5f","readOnly":false,
         "eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333",
         "eventCategory":"Management"%s}
        """
        .formatted(userIdentity, JSON.valueToTree(userAgent).toString(), extra);
  }

  static final String IAM_USER =
      """
      {"type":"IAMUser","principalId":"AIDAJ45Q7YFFAREXAMPLE",
       "arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333",
       "accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"alice"}
      """;

  static final String CI_ROLE =
      """
      {"type":"AssumedRole","principalId":"AROAEXAMPLEROLEID:gha-deploy-4711",
       "arn":"arn:aws:sts::111122223333:assumed-role/ci-deployer/gha-deploy-4711",
       "accountId":"111122223333","accessKeyId":"ASIAEXAMPLEKEYID0001",
       "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEROLEID",
         "arn":"arn:aws:iam::111122223333:role/ci-deployer","accountId":"111122223333",
         "userName":"ci-deployer"},"webIdFederationData":{},
         "attributes":{"creationDate":"2024-07-30T21:20:02Z","mfaAuthenticated":"false"}}}
      """;

  static final String SSO_ROLE =
      """
      {"type":"AssumedRole","principalId":"AROAEXAMPLESSOROLE:alice",
       "arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice",
       "accountId":"111122223333","accessKeyId":"ASIAEXAMPLEKEYID0002",
       "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLESSOROLE",
         "arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
         "accountId":"111122223333",
         "userName":"AWSReservedSSO_AdministratorAccess_0123456789abcdef"},
         "attributes":{"creationDate":"2024-07-30T20:01:44Z","mfaAuthenticated":"false"}}}
      """;

  @Nested
  class Actors {

    @Test
    void rootIsAHumanNamedRoot() {
      ChangeEvent e =
          parse(
              withIdentity(
                  """
                  {"type":"Root","principalId":"111122223333",
                   "arn":"arn:aws:iam::111122223333:root","accountId":"111122223333",
                   "accessKeyId":"ASIAEXAMPLEROOTKEY01"}
                  """,
                  "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64"
                      + " lang/python#3.11.9",
                  ""));
      Actor a = e.getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
      assertThat(a.getPrincipal()).isEqualTo("arn:aws:iam::111122223333:root");
      assertThat(a.getName()).isEqualTo("root");
      assertThat(a.getAccount()).isEqualTo("111122223333");
      assertThat(a.isConsole()).isFalse();
      assertThat(a.getIacTool()).isNull();
    }

    @Test
    void iamUserWithTheCliIsAHuman() {
      Actor a =
          parse(withIdentity(IAM_USER, "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64", ""))
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
      assertThat(a.getPrincipal()).isEqualTo("arn:aws:iam::111122223333:user/alice");
      assertThat(a.getName()).isEqualTo("alice");
      assertThat(a.getSourceIp()).isEqualTo("198.51.100.23");
      assertThat(a.getSessionIssuer()).isNull();
    }

    @Test
    void aRoleSessionOfAMachineIsAServiceAccount() {
      Actor a =
          parse(withIdentity(CI_ROLE, "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5", ""))
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.SERVICE_ACCOUNT);
      assertThat(a.getName()).isEqualTo("gha-deploy-4711");
      assertThat(a.getSessionIssuer()).isEqualTo("arn:aws:iam::111122223333:role/ci-deployer");
      assertThat(a.isHuman()).isFalse();
    }

    @Test
    void anSsoPermissionSetSessionIsAHuman() {
      Actor a = parse(withIdentity(SSO_ROLE, "aws-cli/2.15.30 Python/3.11.8", "")).getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
      assertThat(a.getName()).isEqualTo("alice");
      assertThat(a.getPrincipal())
          .isEqualTo(
              "arn:aws:sts::111122223333:assumed-role/"
                  + "AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice");
      assertThat(a.getSessionIssuer())
          .endsWith("/AWSReservedSSO_AdministratorAccess_0123456789abcdef");
    }

    @Test
    void anSsoSessionIsAHumanEvenWithoutSessionContext() {
      // Exports and fixtures drop sessionContext; the role is still in the ARN.
      Actor a =
          parse(
                  withIdentity(
                      """
                      {"type":"AssumedRole","principalId":"AROAEXAMPLESSOROLE:bob.ross",
                       "arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_DevAdmin_635426549a280cc6/bob.ross",
                       "accountId":"111122223333"}
                      """,
                      "aws-cli/2.15.30",
                      ""))
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
      assertThat(a.getName()).isEqualTo("bob.ross");
    }

    @Test
    void aRoleSessionNamedAfterAnEmailIsAHuman() {
      Actor a =
          parse(
                  withIdentity(
                      CI_ROLE.replace("gha-deploy-4711", "alice@example.com"),
                      "aws-cli/2.15.30",
                      ""))
              .getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
      assertThat(a.getName()).isEqualTo("alice@example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "\"true\"", "\"TRUE\""})
    void consoleSessionsAreHumanWhateverHowTheFlagIsWritten(String flag) {
      // sessionCredentialFromConsole is a string in real records and a boolean in many fixtures.
      Actor a =
          parse(
                  withIdentity(
                      CI_ROLE, "aws-sdk-java/1.12.0", ",\"sessionCredentialFromConsole\":" + flag))
              .getActor();
      assertThat(a.isConsole()).isTrue();
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
      assertThat(a.isHuman()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "\"false\"", "null"})
    void aFalseConsoleFlagIsNoConsole(String flag) {
      Actor a =
          parse(
                  withIdentity(
                      CI_ROLE, "aws-sdk-java/1.12.0", ",\"sessionCredentialFromConsole\":" + flag))
              .getActor();
      assertThat(a.isConsole()).isFalse();
      assertThat(a.getType()).isEqualTo(Actor.Type.SERVICE_ACCOUNT);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "console.amazonaws.com",
          "console.ec2.amazonaws.com",
          "signin.amazonaws.com",
          "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.217-183.860.amzn2int.x86_64"
              + " OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372 vendor/Oracle_Corporation"
              + " cfg/retry-mode/standard]",
          "S3Console/0.4"
        })
    void consoleUserAgentsMakeAConsoleHuman(String userAgent) {
      Actor a = parse(withIdentity(CI_ROLE, userAgent, "")).getActor();
      assertThat(a.isConsole()).isTrue();
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "AWS Internal",
          "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64 command/ec2.terminate-instances",
          "ec2.amazonaws.com",
          "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#6.1 lang/python#3.12.4"
        })
    void otherUserAgentsAreNoConsole(String userAgent) {
      Actor a = parse(withIdentity(CI_ROLE, userAgent, "")).getActor();
      assertThat(a.isConsole()).isFalse();
      assertThat(a.getType()).isEqualTo(Actor.Type.SERVICE_ACCOUNT);
    }

    @Test
    void anAwsServiceIsNamedByInvokedBy() {
      ChangeEvent e =
          parse(
              """
              {"eventVersion":"1.08","userIdentity":{"type":"AWSService",
                "invokedBy":"autoscaling.amazonaws.com"},
               "eventTime":"2024-07-30T21:40:00Z","eventSource":"ec2.amazonaws.com",
               "eventName":"RunInstances","awsRegion":"eu-west-1",
               "sourceIPAddress":"autoscaling.amazonaws.com","userAgent":"autoscaling.amazonaws.com",
               "requestParameters":{"instancesSet":{"items":[{"imageId":"ami-0abcdef1234567890",
                 "minCount":1,"maxCount":1}]}},
               "responseElements":null,"eventID":"7b0c3c2d-9f5e-4d44-a0a1-3b2c1d0e9f88",
               "readOnly":false,"eventType":"AwsApiCall","managementEvent":true,
               "recipientAccountId":"111122223333","eventCategory":"Management"}
              """);
      Actor a = e.getActor();
      assertThat(a.getType()).isEqualTo(Actor.Type.AWS_SERVICE);
      assertThat(a.getPrincipal()).isEqualTo("autoscaling.amazonaws.com");
      assertThat(a.getName()).isEqualTo("autoscaling.amazonaws.com");
      assertThat(a.isHuman()).isFalse();
      assertThat(e.getTarget().getAccount()).isEqualTo("111122223333");
    }

    @Test
    void cloudFormationActingForAStackIsIac() {
      // The stack's service role calls; CloudFormation shows in invokedBy and the user agent.
      String identity =
          CI_ROLE
              .replace("gha-deploy-4711", "AWSCloudFormation")
              .replace(
                  "\"accessKeyId\"",
                  "\"invokedBy\":\"cloudformation.amazonaws.com\",\"accessKeyId\"");
      Actor a = parse(withIdentity(identity, "cloudformation.amazonaws.com", "")).getActor();
      assertThat(a.getIacTool()).isEqualTo("cloudformation");
      assertThat(a.getType()).isEqualTo(Actor.Type.IAC);
      assertThat(a.getName()).isEqualTo("AWSCloudFormation");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "terraform|APN/1.0 HashiCorp/1.0 Terraform/1.9.3 (+https://www.terraform.io)"
              + " terraform-provider-aws/5.60.0 (+https://registry.terraform.io/providers/hashicorp/aws)"
              + " aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64"
              + " api/ec2#1.171.0",
          "terraform|aws-sdk-go/1.44.157 (go1.19.3; darwin; arm64) APN/1.0 HashiCorp/1.0"
              + " Terraform/1.1.2 (+https://www.terraform.io)",
          "pulumi|APN/1.0 Pulumi/1.0 Pulumi-Aws/6.47.0 (+https://www.pulumi.com)"
              + " aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 api/ec2#1.171.0",
          "pulumi|aws-sdk-go-v2/1.30.3 os/macos lang/go#1.22 api/sts#1.30.3 APN/1.0 Pulumi/3.125.0"
              + " PulumiAwsNative/0.113.0",
          "cdk|aws-sdk-js/3.616.0 ua/2.0 os/linux#6.5.0 lang/js md/nodejs#20.15.1"
              + " api/cloudformation#3.616.0 aws-cdk/2.150.0",
          "cdk|aws-cdk/2.150.0 (linux; x64) aws-sdk-js/2.1670.0",
          "cloudformation|cloudformation.amazonaws.com"
        })
    void infrastructureAsCodeIsRecognisedByItsUserAgent(String toolAndAgent) {
      String tool = toolAndAgent.substring(0, toolAndAgent.indexOf('|'));
      String userAgent = toolAndAgent.substring(toolAndAgent.indexOf('|') + 1);
      for (String identity : new String[] {IAM_USER, CI_ROLE, SSO_ROLE}) {
        Actor a = parse(withIdentity(identity, userAgent, "")).getActor();
        assertThat(a.getIacTool()).as(userAgent).isEqualTo(tool);
        assertThat(a.getType()).as(userAgent).isEqualTo(Actor.Type.IAC);
      }
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          // A person deleting a stack by hand with the CLI or a script is no IaC run.
          "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9"
              + " md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe"
              + " md/distrib#ubuntu.22 md/prompt#off md/command#cloudformation.delete-stack",
          "aws-sdk-js/3.616.0 ua/2.0 os/darwin#23.5.0 lang/js md/nodejs#20.15.1"
              + " api/cloudformation#3.616.0"
        })
    void callingTheCloudFormationApiIsNotCloudFormation(String userAgent) {
      Actor a = parse(withIdentity(IAM_USER, userAgent, "")).getActor();
      assertThat(a.getIacTool()).isNull();
      assertThat(a.getType()).isEqualTo(Actor.Type.HUMAN);
    }
  }

  @Nested
  class Targets {

    @Test
    void s3ObjectDeletionNamesBucketAndKey() {
      ChangeEvent e =
          parse(
              """
              {"eventVersion":"1.10","userIdentity":%s,"eventTime":"2024-07-30T21:31:21Z",
               "eventSource":"s3.amazonaws.com","eventName":"DeleteObject","awsRegion":"eu-west-1",
               "sourceIPAddress":"198.51.100.23","userAgent":"[aws-cli/2.15.30]",
               "requestParameters":{"bucketName":"etcd-backups-prod",
                 "Host":"etcd-backups-prod.s3.eu-west-1.amazonaws.com",
                 "key":"backups/etcd-manager/control/etcd-cluster-created"},
               "responseElements":null,
               "additionalEventData":{"SignatureVersion":"SigV4","bytesTransferredIn":0},
               "requestID":"Q1W2E3R4T5Y6U7I8","eventID":"4b1b6b0a-2d9f-4c9e-8f1a-0f2e3d4c5b6a",
               "readOnly":false,
               "resources":[{"type":"AWS::S3::Object",
                 "ARN":"arn:aws:s3:::etcd-backups-prod/backups/etcd-manager/control/etcd-cluster-created"},
                 {"accountId":"111122223333","type":"AWS::S3::Bucket",
                 "ARN":"arn:aws:s3:::etcd-backups-prod"}],
               "eventType":"AwsApiCall","managementEvent":false,
               "recipientAccountId":"111122223333","eventCategory":"Data"}
              """
                  .formatted(IAM_USER));
      Target t = e.getTarget();
      assertThat(t.getBucket()).isEqualTo("etcd-backups-prod");
      assertThat(t.getKey()).isEqualTo("backups/etcd-manager/control/etcd-cluster-created");
      assertThat(t.getType()).isEqualTo("AWS::S3::Object");
      assertThat(t.getArn())
          .isEqualTo(
              "arn:aws:s3:::etcd-backups-prod/backups/etcd-manager/control/etcd-cluster-created");
      assertThat(t.getRegion()).isEqualTo("eu-west-1");
      assertThat(t.describe())
          .isEqualTo("s3://etcd-backups-prod/backups/etcd-manager/control/etcd-cluster-created");
      assertThat(e.isReadOnly()).isFalse();
      assertThat(e.isEffectiveWrite()).isTrue();
    }

    @Test
    void s3BucketLifecycleNamesTheBucketOnly() {
      ChangeEvent e =
          parse(
              """
              {"eventVersion":"1.09","userIdentity":%s,"eventTime":"2024-07-30T21:31:21Z",
               "eventSource":"s3.amazonaws.com","eventName":"PutBucketLifecycle",
               "awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.23","userAgent":"aws-cli/2.15.30",
               "requestParameters":{"bucketName":"etcd-backups-prod","lifecycle":"",
                 "Host":"etcd-backups-prod.s3.eu-west-1.amazonaws.com",
                 "LifecycleConfiguration":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/",
                   "Rule":{"Filter":{"Prefix":"backups/"},"Status":"Enabled",
                     "Expiration":{"Days":7},"ID":"expire-old"}}},
               "responseElements":null,"eventID":"a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
               "readOnly":false,"eventType":"AwsApiCall","managementEvent":true,
               "recipientAccountId":"111122223333"}
              """
                  .formatted(IAM_USER));
      Target t = e.getTarget();
      assertThat(t.getBucket()).isEqualTo("etcd-backups-prod");
      assertThat(t.getKey()).isNull();
      assertThat(t.getType()).isEqualTo("AWS::S3::Bucket");
      assertThat(e.requestText("/LifecycleConfiguration/Rule/Expiration/Days")).isEqualTo("7");
    }

    static String route53(String zoneField, String changes) {
      return """
          {"eventVersion":"1.08","userIdentity":%s,"eventTime":"2024-07-30T21:31:21Z",
           "eventSource":"route53.amazonaws.com","eventName":"ChangeResourceRecordSets",
           "awsRegion":"us-east-1","sourceIPAddress":"198.51.100.23","userAgent":"aws-cli/2.15.30",
           "requestParameters":{%s"changeBatch":{"changes":[%s]}},
           "responseElements":{"changeInfo":{"status":"PENDING","id":"/change/C2682N5HXP0BZ4",
             "submittedAt":"Jul 30, 2024 9:31:21 PM"}},
           "requestID":"b25f48e8-84fd-11e6-80d3-0d5c6d1c1f3b",
           "eventID":"c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f","readOnly":false,
           "eventType":"AwsApiCall","apiVersion":"2013-04-01","managementEvent":true,
           "recipientAccountId":"111122223333","eventCategory":"Management"}
          """
          .formatted(IAM_USER, zoneField, changes);
    }

    static String weighted(String name, String id, int weight) {
      return """
          {"action":"UPSERT","resourceRecordSet":{"name":"%s","type":"CNAME","tTL":60,
           "setIdentifier":"%s","weight":%d,"resourceRecords":[{"value":"%s.lb.example.com"}]}}
          """
          .formatted(name, id, weight, id);
    }

    @Test
    void route53ChangeNamesZoneAndTheSingleRecord() {
      ChangeEvent e =
          parse(
              route53(
                  "\"hostedZoneId\":\"Z1D633PJN98FT9\",",
                  weighted("api.example.com.", "blue", 90)
                      + ","
                      + weighted("api.example.com.", "green", 10)));
      Target t = e.getTarget();
      assertThat(t.getHostedZoneId()).isEqualTo("Z1D633PJN98FT9");
      assertThat(t.getRecordName()).isEqualTo("api.example.com.");
      assertThat(t.getType()).isEqualTo("AWS::Route53::RecordSet");
      assertThat(t.describe()).isEqualTo("api.example.com. in hosted zone Z1D633PJN98FT9");
    }

    @Test
    void route53ZoneIdLosesTheHostedZonePrefix() {
      ChangeEvent e =
          parse(
              route53(
                  "\"hostedZoneId\":\"/hostedzone/Z1D633PJN98FT9\",",
                  weighted("api.example.com.", "blue", 0)));
      assertThat(e.getTarget().getHostedZoneId()).isEqualTo("Z1D633PJN98FT9");
    }

    @Test
    void route53ChangeOfSeveralNamesHasNoRecordName() {
      ChangeEvent e =
          parse(
              route53(
                  "\"hostedZoneId\":\"Z1D633PJN98FT9\",",
                  weighted("api.example.com.", "blue", 90)
                      + ","
                      + weighted("www.example.com.", "green", 10)));
      assertThat(e.getTarget().getHostedZoneId()).isEqualTo("Z1D633PJN98FT9");
      assertThat(e.getTarget().getRecordName()).isNull();
      assertThat(e.getTarget().getType()).isEqualTo("AWS::Route53::HostedZone");
    }

    @Test
    void route53ZoneCallsNameTheZoneById() {
      ChangeEvent e =
          parse(
              """
              {"eventVersion":"1.08","userIdentity":%s,"eventTime":"2024-07-30T21:31:21Z",
               "eventSource":"route53.amazonaws.com","eventName":"DeleteHostedZone",
               "awsRegion":"us-east-1","sourceIPAddress":"198.51.100.23","userAgent":"aws-cli/2.15.30",
               "requestParameters":{"id":"/hostedzone/Z3M3LMPEXAMPLE"},
               "responseElements":{"changeInfo":{"status":"PENDING","id":"/change/C1SIJYUYIKVJWP"}},
               "eventID":"d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70","readOnly":false,
               "eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333"}
              """
                  .formatted(IAM_USER));
      assertThat(e.getTarget().getHostedZoneId()).isEqualTo("Z3M3LMPEXAMPLE");
      assertThat(e.getTarget().getType()).isEqualTo("AWS::Route53::HostedZone");
    }

    @Test
    void secretsManagerNamesTheSecretAndDropsItsValue() {
      ChangeEvent e =
          parse(
              """
              {"eventVersion":"1.08","userIdentity":%s,"eventTime":"2024-07-30T21:31:21Z",
               "eventSource":"secretsmanager.amazonaws.com","eventName":"PutSecretValue",
               "awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.23","userAgent":"aws-cli/2.15.30",
               "requestParameters":{"secretId":"prod/payments/db","clientRequestToken":"EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE",
                 "secretString":"{\\"password\\":\\"hunter2-SECRET\\"}"},
               "responseElements":{"arn":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/payments/db-AbCdEf",
                 "name":"prod/payments/db","versionId":"EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE"},
               "eventID":"e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a81","readOnly":false,
               "eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333"}
              """
                  .formatted(IAM_USER));
      assertThat(e.getTarget().getName()).isEqualTo("prod/payments/db");
      assertThat(e.getTarget().getType()).isEqualTo("AWS::SecretsManager::Secret");
      assertThat(e.getRaw().toString()).doesNotContain("hunter2");
      assertThat(e.getRequest().has("secretString")).isFalse();
      assertThat(e.getRedacted()).containsExactly("/requestParameters/secretString");
    }

    @Test
    void requestParametersGivenAsAJsonStringAreRead() {
      ChangeEvent e =
          parse(
              """
              {"eventVersion":"1.08","userIdentity":%s,"eventTime":"2024-07-30T21:31:21Z",
               "eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","awsRegion":"eu-west-1",
               "requestParameters":"{\\"bucketName\\":\\"etcd-backups-prod\\",\\"Host\\":\\"s3.amazonaws.com\\"}",
               "eventID":"f6a7b8c9-d0e1-4f2a-8b3c-4d5e6f7a8b92","readOnly":false,
               "eventType":"AwsApiCall","recipientAccountId":"111122223333"}
              """
                  .formatted(IAM_USER));
      assertThat(e.getTarget().getBucket()).isEqualTo("etcd-backups-prod");
      assertThat(e.getTarget().getType()).isEqualTo("AWS::S3::Bucket");
      assertThat(e.requestText("/Host")).isEqualTo("s3.amazonaws.com");
      assertThat(e.getRedacted()).isEmpty();
      assertThat(e.getRaw().get("requestParameters").isTextual()).isTrue();
    }

    @Test
    void secretsInRequestParametersGivenAsAJsonStringAreRemovedToo() {
      ChangeEvent e =
          parse(
              """
              {"eventVersion":"1.08","userIdentity":%s,"eventTime":"2024-07-30T21:31:21Z",
               "eventSource":"secretsmanager.amazonaws.com","eventName":"CreateSecret",
               "awsRegion":"eu-west-1",
               "requestParameters":"{\\"name\\":\\"prod/db\\",\\"SecretString\\":\\"hunter2-SECRET\\"}",
               "eventID":"a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9ca3","readOnly":false,
               "eventType":"AwsApiCall","recipientAccountId":"111122223333"}
              """
                  .formatted(IAM_USER));
      assertThat(e.getTarget().getName()).isEqualTo("prod/db");
      assertThat(e.getRequest().has("SecretString")).isFalse();
      assertThat(e.getRaw().toString()).doesNotContain("hunter2");
      assertThat(e.getRaw().get("requestParameters").isTextual()).isTrue();
      assertThat(e.getRedacted()).containsExactly("/requestParameters/SecretString");
    }

    @Test
    void aNameFieldOfTheRequestNamesTheTarget() {
      ChangeEvent e = parse(Bundled.stopLogging());
      assertThat(e.getTarget().getName())
          .isEqualTo("arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail");
      assertThat(e.getTarget().getAccount()).isEqualTo("111122223333");
      assertThat(e.getTarget().getRegion()).isEqualTo("eu-west-1");
    }
  }

  @Nested
  class Outcomes {

    @Test
    void aRecordWithoutErrorCodeSucceeded() {
      ChangeEvent e = parse(withIdentity(IAM_USER, "aws-cli/2.15.30", ""));
      assertThat(e.getOutcome().getSucceeded()).isTrue();
      assertThat(e.getOutcome().isEffective()).isTrue();
      assertThat(e.getOutcome().getErrorCode()).isNull();
      assertThat(e.getOutcome().getStage()).isNull();
    }

    @Test
    void anErrorCodeMeansFailed() {
      ChangeEvent e =
          parse(
              withIdentity(
                  IAM_USER,
                  "aws-cli/2.15.30",
                  ",\"errorCode\":\"Client.UnauthorizedOperation\","
                      + "\"errorMessage\":\"You are not authorized to perform this operation.\""));
      Outcome o = e.getOutcome();
      assertThat(o.getSucceeded()).isFalse();
      assertThat(o.isFailed()).isTrue();
      assertThat(o.isDryRun()).isFalse();
      assertThat(o.getErrorCode()).isEqualTo("Client.UnauthorizedOperation");
      assertThat(o.getErrorMessage()).startsWith("You are not authorized");
      assertThat(e.isEffectiveWrite()).isFalse();
    }

    @Test
    void aDryRunIsNoEffectiveWrite() {
      ChangeEvent e =
          parse(
              withIdentity(
                  IAM_USER,
                  "aws-cli/2.15.30",
                  ",\"errorCode\":\"Client.DryRunOperation\",\"errorMessage\":\"Request would have"
                      + " succeeded, but DryRun flag is set.\""));
      assertThat(e.getOutcome().isDryRun()).isTrue();
      assertThat(e.getOutcome().isEffective()).isFalse();
      assertThat(e.isEffectiveWrite()).isFalse();
    }

    @Test
    void readOnlyComesFromTheRecordOrTheEventName() {
      assertThat(parse(Bundled.listBuckets()).isReadOnly()).isTrue();
      String noFlag = withIdentity(IAM_USER, "aws-cli", "").replace("\"readOnly\":false,", "");
      assertThat(parse(noFlag).isReadOnly()).isFalse();
      assertThat(parse(noFlag.replace("TerminateInstances", "DescribeInstances")).isReadOnly())
          .isTrue();
      assertThat(parse(noFlag.replace("TerminateInstances", "GetObject")).isReadOnly()).isTrue();
      String stringFlag =
          withIdentity(IAM_USER, "aws-cli", "")
              .replace("\"readOnly\":false", "\"readOnly\":\"true\"");
      assertThat(parse(stringFlag).isReadOnly()).isTrue();
    }
  }

  @Nested
  class Times {

    static String at(String eventTime) {
      return withIdentity(IAM_USER, "aws-cli", "")
          .replace("\"2024-07-30T21:31:21Z\"", JSON.valueToTree(eventTime).toString());
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "2024-07-30T21:31:21Z|2024-07-30T21:31:21Z",
          "2024-07-30T21:31:21.5Z|2024-07-30T21:31:21.500Z",
          "2024-07-30T21:31:21.123456789Z|2024-07-30T21:31:21.123456789Z",
          "2024-07-30 21:31:21|2024-07-30T21:31:21Z",
          "2024-07-30 21:31:21.123456789|2024-07-30T21:31:21.123456789Z",
          "2024-07-30 21:31:21.000Z|2024-07-30T21:31:21Z",
          "2024-07-30T23:31:21+02:00|2024-07-30T21:31:21Z",
          "2024-07-30 23:31:21.25+02:00|2024-07-30T21:31:21.250Z",
          "2024-07-30T16:31:21-05:00|2024-07-30T21:31:21Z",
          "2024-07-30T21:31:21|2024-07-30T21:31:21Z"
        })
    void theRecordsTimeIsReadInEveryFormatExportsUse(String inAndOut) {
      String[] io = inAndOut.split("\\|");
      ChangeEvent e = parse(at(io[0]));
      assertThat(e.getEventTime()).isEqualTo(Instant.parse(io[1]));
      assertThat(e.isEventTimeEstimated()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"...", "foo", "redacted", "", "2024-13-45T99:99:99Z", "1722375081"})
    void anUnreadableTimeFallsBackToTheArrivalTime(String garbage) {
      ChangeEvent e = parse(at(garbage));
      assertThat(e.getEventTime()).isEqualTo(ARRIVAL);
      assertThat(e.isEventTimeEstimated()).isTrue();
    }

    @Test
    void exportCopiesOfTheTimeAreUsedWhenEventTimeIsMissing() {
      String noTime = at("...").replace("\"eventTime\":\"...\",", "");
      ChangeEvent panther =
          parse(
              noTime.replace(
                  "{\"eventVersion\"",
                  "{\"p_event_time\":\"2024-07-30 21:31:21.65\"," + "\"eventVersion\""));
      assertThat(panther.getEventTime()).isEqualTo(Instant.parse("2024-07-30T21:31:21.650Z"));
      assertThat(panther.isEventTimeEstimated()).isFalse();
      ChangeEvent logstash =
          parse(
              noTime.replace(
                  "{\"eventVersion\"",
                  "{\"@timestamp\":\"2024-07-30T21:31:21.000Z\"," + "\"eventVersion\""));
      assertThat(logstash.getEventTime()).isEqualTo(Instant.parse("2024-07-30T21:31:21Z"));
      assertThat(logstash.isEventTimeEstimated()).isFalse();
    }
  }

  @Test
  void theCanonicalFieldsComeFromTheRecord() {
    ChangeEvent e = parse(Bundled.stopLogging());
    assertThat(e.getId()).isEqualTo("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    assertThat(e.isIdFromContent()).isFalse();
    assertThat(e.getSource()).isEqualTo(ChangeEvent.CLOUDTRAIL);
    assertThat(e.getService()).isEqualTo("cloudtrail.amazonaws.com");
    assertThat(e.getAction()).isEqualTo("StopLogging");
    assertThat(e.getEventTime()).isEqualTo(Instant.parse("2026-11-20T09:14:02Z"));
    assertThat(e.getRaw().path("requestID").asText())
        .isEqualTo("6b4c2a1e-1111-4a2b-9c3d-000000000001");
    assertThat(e.getResponse().isNull()).isTrue();
  }

  @Test
  void aRecordWithoutEventIdGetsAContentHash() {
    String json =
        Bundled.stopLogging().replace("\"eventID\":\"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\",", "");
    ChangeEvent e = parse(json);
    assertThat(e.isIdFromContent()).isTrue();
    assertThat(e.getId()).isEqualTo(ContentHash.of(tree(json)));
  }

  /** The bundled test events, with fixed ids. */
  static final class Bundled {
    static String stopLogging() {
      return dev.portcullis.testing.Events.load(
          "stop-logging.json", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
    }

    static String listBuckets() {
      return dev.portcullis.testing.Events.load(
          "list-buckets.json", "0a1b2c3d-4e5f-4061-8273-9a8b7c6d5e4f");
    }
  }
}
