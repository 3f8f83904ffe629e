package dev.portcullis.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the small YAML files of a policy folder (metadata, exceptions, test cases) as trees, and
 * remembers the line of each top-level field so that errors can say where they are.
 */
final class YamlFiles {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A parsed file: its tree and the line of each top-level field. */
  record Doc(JsonNode root, Map<String, Integer> lines) {
    int line(String field) {
      return lines.getOrDefault(field, 0);
    }
  }

  private YamlFiles() {}

  /**
   * Parses one YAML document.
   *
   * @throws PolicyLoadException with the file and line of a syntax error
   */
  static Doc read(String file, byte[] content) throws PolicyLoadException {
    JsonNode root;
    try {
      root = YAML.readTree(content);
    } catch (IOException e) {
      int line = 0;
      if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
          && jpe.getLocation() != null) {
        line = jpe.getLocation().getLineNr();
      }
      throw new PolicyLoadException(
          java.util.List.of(Problem.at(file, line, "not valid YAML: " + firstLine(e))));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new PolicyLoadException(java.util.List.of(Problem.of(file, "the file is empty")));
    }
    if (!root.isObject()) {
      throw new PolicyLoadException(
          java.util.List.of(
              Problem.at(file, 1, "must be a mapping of fields, not a " + kind(root))));
    }
    return new Doc(root, topLevelLines(content));
  }

  private static Map<String, Integer> topLevelLines(byte[] content) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = YAML.getFactory().createParser(content)) {
      int depth = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> depth--;
          case FIELD_NAME -> {
            if (depth == 1) {
              lines.putIfAbsent(p.currentName(), p.currentLocation().getLineNr());
            }
          }
          default -> {}
        }
      }
    } catch (IOException e) {
      // the tree parse above already reported it
    }
    return lines;
  }

  static String kind(JsonNode n) {
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  static String firstLine(Exception e) {
    String s =
        e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
            ? jpe.getOriginalMessage()
            : e.getMessage();
    if (s == null) {
      return e.getClass().getSimpleName();
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
