package dev.portcullis.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Content ids are SHA-256 of canonical JSON: sorted keys, no whitespace. */
class ContentHashTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  static String sha256(String canonical) throws Exception {
    return "sha256:"
        + HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void itIsTheSha256OfTheCanonicalForm() throws Exception {
    assertThat(ContentHash.of(json("{}"))).isEqualTo(sha256("{}"));
    assertThat(ContentHash.of(json("{ \"verb\" : \"delete\", \"code\" : 200, \"ok\": true }")))
        .isEqualTo(sha256("{\"code\":200,\"ok\":true,\"verb\":\"delete\"}"));
    assertThat(ContentHash.of(json("{\"b\":{\"d\":[3,1],\"c\":null},\"a\":\"x\"}")))
        .isEqualTo(sha256("{\"a\":\"x\",\"b\":{\"c\":null,\"d\":[3,1]}}"));
  }

  @Test
  void keyOrderWhitespaceAndEscapesDoNotChangeIt() throws Exception {
    String a =
        "{\"user\":{\"username\":\"bob\",\"groups\":[\"x\",\"y\"]},\"verb\":\"get\",\"n\":\"é\"}";
    String b =
        "{\n  \"verb\" : \"get\",\n  \"n\" : \"\\u00e9\",\n  \"user\" : {\"groups\" : [ \"x\", \"y\" ],"
            + " \"username\" : \"bob\" }\n}";
    assertThat(ContentHash.of(json(a))).isEqualTo(ContentHash.of(json(b)));
  }

  @Test
  void anyChangeOfContentChangesIt() throws Exception {
    String base = ContentHash.of(json("{\"verb\":\"get\",\"list\":[1,2]}"));
    assertThat(ContentHash.of(json("{\"verb\":\"put\",\"list\":[1,2]}"))).isNotEqualTo(base);
    assertThat(ContentHash.of(json("{\"verb\":\"get\",\"list\":[2,1]}"))).isNotEqualTo(base);
    assertThat(ContentHash.of(json("{\"verb\":\"get\",\"list\":[1,2],\"x\":null}")))
        .isNotEqualTo(base);
    assertThat(ContentHash.of(json("{\"verb\":\"get\",\"list\":\"[1,2]\"}"))).isNotEqualTo(base);
    assertThat(base).matches("sha256:[0-9a-f]{64}");
  }

  @Test
  void quotesAndControlCharactersCannotForgeAnotherDocument() throws Exception {
    // {"a":"x\",\"b\":\"y"} is one field; it must not hash like {"a":"x","b":"y"}.
    assertThat(ContentHash.of(json("{\"a\":\"x\\\",\\\"b\\\":\\\"y\"}")))
        .isNotEqualTo(ContentHash.of(json("{\"a\":\"x\",\"b\":\"y\"}")));
    assertThat(ContentHash.of(json("{\"a\":\"line\\nbreak\"}")))
        .isEqualTo(sha256("{\"a\":\"line\\u000abreak\"}"));
  }
}
