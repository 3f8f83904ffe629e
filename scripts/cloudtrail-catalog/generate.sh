#!/usr/bin/env bash
# Regenerates src/main/resources/portcullis/cloudtrail/{event-names.txt,aliases.tsv}: the catalog of
# real CloudTrail event names that policy lint checks names against. Run from anywhere:
#   scripts/cloudtrail-catalog/generate.sh
# Needs Maven (./mvnw), npm and the shared corpus (../shared/corpus, or CORPUS=dir).
# Then run CloudTrailCatalogTest and commit both files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="${CORPUS:-$root/../shared/corpus}"
java_sdk="$(sed -n 's:.*<awssdk.version>\(.*\)</awssdk.version>.*:\1:p' "$root/pom.xml")"
js_sdk="${JS_SDK_VERSION:-2.1693.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. AWS SDK for Java v2 service jars. Only the services Maven Central serves here are listed;
#    the JavaScript models below cover every service.
services=(acm apigateway apigatewaymanagementapi apigatewayv2 appconfigdata athena autoscaling batch
  bedrock bedrockagentruntime bedrockruntime cloudformation cloudfront cloudtrail cloudwatch
  cloudwatchlogs cognitoidentity cognitoidentityprovider comprehend dynamodb ec2 ecr ecs eks
  elasticache elasticloadbalancingv2 emr eventbridge firehose glue iam iot kinesis kms lambda
  lakeformation opensearch pinpoint polly rds rdsdata redshift redshiftdata rekognition route53 s3
  s3control scheduler secretsmanager ses sesv2 sfn signin sns sqs ssm sso ssooidc sts textract
  timestreamwrite transcribe transcribestreaming translate xray)
{
  echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
  echo '<groupId>local</groupId><artifactId>sdk-models</artifactId><version>1</version><dependencies>'
  for s in "${services[@]}"; do
    echo "<dependency><groupId>software.amazon.awssdk</groupId><artifactId>$s</artifactId><version>$java_sdk</version></dependency>"
  done
  echo '</dependencies></project>'
} > "$work/pom.xml"
"$root/mvnw" -B -q -f "$work/pom.xml" dependency:copy-dependencies -DexcludeTransitive=true \
  -DoutputDirectory="$work/jars"

# 2. AWS SDK for JavaScript v2: one npm package with every service model.
(cd "$work" && npm pack "aws-sdk@$js_sdk" --silent >/dev/null && tar xzf "aws-sdk-$js_sdk.tgz")

# 3. Jackson from the project's own class path, to read the JSON models and the corpus.
"$root/mvnw" -B -q -f "$root/pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" \
  -Dmdep.includeArtifactIds=jackson-databind,jackson-core,jackson-annotations >/dev/null

java -cp "$(cat "$work/cp.txt")" "$here/GenerateCatalog.java" "$work/jars" "$work/package/apis" \
  "$corpus" "$here/aliases.tsv" "$root/src/main/resources/portcullis/cloudtrail" "$java_sdk" "$js_sdk"
