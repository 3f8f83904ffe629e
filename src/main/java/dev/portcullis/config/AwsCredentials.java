package dev.portcullis.config;

import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The credentials of an AWS client Portcullis builds: a configured key pair, else the chain. */
public final class AwsCredentials {

  private AwsCredentials() {}

  /**
   * A static key pair when {@code accessKeyId} is set, else the AWS default credentials chain
   * (environment, profile, web identity, instance role).
   *
   * @param prefix the settings' prefix, to name them when the secret is missing
   * @throws IllegalStateException when the key id is set without its secret
   */
  public static AwsCredentialsProvider of(
      String prefix, Optional<String> accessKeyId, Optional<String> secretAccessKey) {
    if (accessKeyId.isPresent()) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(
              accessKeyId.get(),
              secretAccessKey.orElseThrow(
                  () ->
                      new IllegalStateException(
                          prefix
                              + ".access-key-id is set but "
                              + prefix
                              + ".secret-access-key is not"))));
    }
    return DefaultCredentialsProvider.builder().build();
  }
}
