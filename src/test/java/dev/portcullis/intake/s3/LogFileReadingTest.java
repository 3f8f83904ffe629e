package dev.portcullis.intake.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.event.InvalidEventException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Reading one log file's bytes: gunzip within the size bound, then the {@code Records} list. */
class LogFileReadingTest {

  static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  @Test
  void aLogFileIsGunzippedAndItsRecordsListFound() throws Exception {
    byte[] json =
        "{\"Records\":[{\"eventName\":\"StopLogging\"}]}".getBytes(StandardCharsets.UTF_8);

    byte[] plain = CloudTrailS3Bridge.gunzip(gzip(json), 1000);

    assertThat(plain).isEqualTo(json);
    assertThat(CloudTrailS3Bridge.parse(plain).get("Records").size()).isEqualTo(1);
  }

  @Test
  void aSmallFileThatDecompressesBeyondTheBoundIsRefusedWithoutReadingItAll() throws Exception {
    // 10 MB of zeros gzip to about 10 KB: a file must not grow past the bound in memory.
    byte[] bomb = gzip(new byte[10_000_000]);
    assertThat(bomb.length).isLessThan(20_000);

    assertThatThrownBy(() -> CloudTrailS3Bridge.gunzip(bomb, 100_000))
        .isInstanceOf(InvalidEventException.class)
        .satisfies(
            e ->
                assertThat(((InvalidEventException) e).reason())
                    .isEqualTo(InvalidEventException.TOO_LARGE));
    assertThatThrownBy(() -> CloudTrailS3Bridge.gunzip(bomb, 1_000))
        .satisfies(
            e ->
                assertThat(((InvalidEventException) e).reason())
                    .isEqualTo(InvalidEventException.TOO_LARGE));
  }

  @Test
  void whatIsNotACloudTrailLogFileIsNamed() throws Exception {
    assertReason(() -> CloudTrailS3Bridge.gunzip(new byte[0], 100), "bad-gzip");
    assertReason(
        () -> CloudTrailS3Bridge.gunzip("{}".getBytes(StandardCharsets.UTF_8), 100), "bad-gzip");
    byte[] truncated = java.util.Arrays.copyOf(gzip(new byte[1000]), 15);
    assertReason(() -> CloudTrailS3Bridge.gunzip(truncated, 10_000), "bad-gzip");
    assertReason(() -> CloudTrailS3Bridge.parse(bytes("not json")), "not-json");
    assertReason(() -> CloudTrailS3Bridge.parse(bytes("[]")), "unsupported-shape");
    assertReason(() -> CloudTrailS3Bridge.parse(bytes("{\"Records\":{}}")), "unsupported-shape");
    assertReason(() -> CloudTrailS3Bridge.parse(bytes("{}")), "unsupported-shape");
    assertThat(CloudTrailS3Bridge.parse(bytes("{\"Records\":[]}")).get("Records").isEmpty())
        .isTrue();
  }

  interface Read {
    Object run() throws Exception;
  }

  static void assertReason(Read read, String reason) {
    assertThatThrownBy(read::run)
        .isInstanceOf(InvalidEventException.class)
        .satisfies(e -> assertThat(((InvalidEventException) e).reason()).isEqualTo(reason));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
