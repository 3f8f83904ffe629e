import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Builds Portcullis's catalog of CloudTrail event names from real sources (run by generate.sh):
 *
 * <ol>
 *   <li>operation names of the AWS SDK for Java v2 service jars (Maven Central): one {@code
 *       transform/<Op>RequestMarshaller.class} per operation, confirmed against the operation
 *       names in the {@code Default<Service>Client} class;
 *   <li>operation names of every service model shipped in the AWS SDK for JavaScript v2 npm
 *       package ({@code apis/*.min.json}, key {@code operations});
 *   <li>every {@code eventName} of the real-event corpus;
 *   <li>the names CloudTrail logs instead of the API name (curated aliases.tsv, from AWS docs).
 * </ol>
 *
 * Usage: {@code java -cp <jackson> GenerateCatalog.java <java-jars-dir> <js-apis-dir> <corpus-dir>
 * <aliases.tsv> <out-dir> <java-sdk-version> <js-sdk-version>}
 */
public class GenerateCatalog {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern VERSIONED = Pattern.compile("^([A-Z][A-Za-z]+?)(\\d{8})(v\\d+)?$");

  public static void main(String[] args) throws Exception {
    Path jars = Path.of(args[0]);
    Path jsApis = Path.of(args[1]);
    Path corpus = Path.of(args[2]);
    Path aliasesIn = Path.of(args[3]);
    Path out = Path.of(args[4]);
    String javaVersion = args[5];
    String jsVersion = args[6];

    // name -> services it belongs to
    Map<String, Set<String>> names = new TreeMap<>();
    int javaServices = 0, javaOps = 0, jsServices = 0, jsOps = 0, corpusNames = 0;

    try (Stream<Path> s = Files.list(jars)) {
      for (Path jar : s.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
        List<String> ops = javaOperations(jar);
        if (!ops.isEmpty()) {
          javaServices++;
          javaOps += ops.size();
          String module = jar.getFileName().toString().replaceFirst("-\\d[\\d.]*\\.jar$", "");
          for (String op : ops) {
            names.computeIfAbsent(op, k -> new TreeSet<>()).add(module);
          }
        }
      }
    }
    Map<String, String> jsPrefixOfModel = new TreeMap<>();
    try (Stream<Path> s = Files.list(jsApis)) {
      for (Path model : s.filter(p -> p.toString().endsWith(".min.json")).sorted().toList()) {
        JsonNode root = JSON.readTree(model.toFile());
        String prefix = root.path("metadata").path("endpointPrefix").asText("?");
        jsPrefixOfModel.put(model.getFileName().toString(), prefix);
        jsServices++;
        for (Iterator<String> it = root.path("operations").fieldNames(); it.hasNext(); ) {
          String op = it.next();
          jsOps++;
          names.computeIfAbsent(op, k -> new TreeSet<>()).add(prefix);
        }
      }
    }
    Map<String, Set<String>> corpusSeen = new TreeMap<>();
    try (Stream<Path> s = Files.list(corpus.resolve("cloudtrail"))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          if (line.isBlank()) {
            continue;
          }
          JsonNode r = JSON.readTree(line);
          String name = r.path("eventName").asText(null);
          if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_]*")) {
            continue; // placeholders such as "..." in hand-edited fixtures are no event names
          }
          String src = r.path("eventSource").asText("");
          String svc = src.endsWith(".amazonaws.com") ? src.substring(0, src.length() - 14) : "";
          corpusSeen.computeIfAbsent(name, k -> new TreeSet<>()).add(svc);
        }
      }
    }
    corpusNames = corpusSeen.size();
    for (Map.Entry<String, Set<String>> e : corpusSeen.entrySet()) {
      Set<String> svcs = names.computeIfAbsent(e.getKey(), k -> new TreeSet<>());
      svcs.add("corpus");
    }

    // Curated aliases: the CloudTrail name is a real event name.
    List<String[]> aliases = new ArrayList<>();
    for (String line : Files.readAllLines(aliasesIn)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] c = line.split("\t");
      if (c.length != 5) {
        throw new IllegalArgumentException("aliases.tsv: 5 columns expected: " + line);
      }
      aliases.add(c);
      names.computeIfAbsent(c[2], k -> new TreeSet<>()).add("aws-docs");
    }
    // Versioned names seen in real logs (Lambda: UpdateFunctionCode20150331v2).
    for (Map.Entry<String, Set<String>> e : corpusSeen.entrySet()) {
      Matcher m = VERSIONED.matcher(e.getKey());
      if (m.matches() && names.containsKey(m.group(1))) {
        String svc = e.getValue().stream().filter(x -> !x.isEmpty()).findFirst().orElse("?");
        aliases.add(
            new String[] {
              m.group(1),
              svc,
              e.getKey(),
              "versioned",
              "corpus; https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html"
            });
      }
    }

    Files.createDirectories(out);
    StringBuilder sb = new StringBuilder();
    sb.append("# CloudTrail event names known to Portcullis: ").append(names.size()).append(" names.\n");
    sb.append("# GENERATED by scripts/cloudtrail-catalog/generate.sh; do not edit by hand.\n");
    sb.append("# Sources (second column names the service or source that has the name):\n");
    sb.append("#   AWS SDK for Java v2 ").append(javaVersion).append(" service jars from Maven Central: ")
        .append(javaServices).append(" services, ").append(javaOps)
        .append(" operations (column: Maven artifact id)\n");
    sb.append("#   AWS SDK for JavaScript v2 ").append(jsVersion).append(" (npm aws-sdk) apis/*.min.json: ")
        .append(jsServices).append(" models, ").append(jsOps)
        .append(" operations (column: endpoint prefix)\n");
    sb.append("#   the real-event corpus (shared/corpus/cloudtrail): ").append(corpusNames)
        .append(" distinct eventName values (column: corpus)\n");
    sb.append("#   names AWS documents CloudTrail logs instead of the API name (column: aws-docs;"
        + " see aliases.tsv)\n");
    for (Map.Entry<String, Set<String>> e : names.entrySet()) {
      sb.append(e.getKey()).append('\t').append(String.join(",", e.getValue())).append('\n');
    }
    Files.writeString(out.resolve("event-names.txt"), sb.toString(), StandardCharsets.UTF_8);

    StringBuilder al = new StringBuilder();
    al.append("# API operations CloudTrail logs under another name. GENERATED by")
        .append(" scripts/cloudtrail-catalog/generate.sh from scripts/cloudtrail-catalog/aliases.tsv")
        .append(" (documented renames) and the corpus (versioned names seen in real logs).\n");
    al.append("# api-operation\tservice\tname-in-cloudtrail\tkind\tsource\n");
    aliases.sort((a, b) -> (a[0] + a[1] + a[2]).compareTo(b[0] + b[1] + b[2]));
    for (String[] a : aliases) {
      al.append(String.join("\t", a)).append('\n');
    }
    Files.writeString(out.resolve("aliases.tsv"), al.toString(), StandardCharsets.UTF_8);
    System.out.printf(
        "catalog: %d names (java sdk %d services/%d ops, js sdk %d models/%d ops, corpus %d names), %d aliases%n",
        names.size(), javaServices, javaOps, jsServices, jsOps, corpusNames, aliases.size());
  }

  /** Operation names of one SDK v2 service jar. */
  static List<String> javaOperations(Path jar) throws IOException {
    List<String> ops = new ArrayList<>();
    Set<String> clientStrings = new HashSet<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        String n = e.getName();
        if (n.matches("software/amazon/awssdk/services/[^/]+/transform/[A-Za-z0-9]+RequestMarshaller\\.class")) {
          String simple = n.substring(n.lastIndexOf('/') + 1);
          ops.add(simple.substring(0, simple.length() - "RequestMarshaller.class".length()));
        } else if (n.matches("software/amazon/awssdk/services/[^/]+/Default[A-Za-z0-9]+Client\\.class")) {
          try (InputStream in = zip.getInputStream(e)) {
            clientStrings.addAll(constantStrings(in));
          }
        }
      }
    }
    List<String> confirmed = new ArrayList<>();
    for (String op : ops) {
      if (clientStrings.isEmpty() || clientStrings.contains(op)) {
        confirmed.add(op);
        continue;
      }
      // Java class names normalise acronyms (SetSmsAttributes); the client keeps the wire name
      // (SetSMSAttributes), which is what CloudTrail logs.
      String wire =
          clientStrings.stream().filter(op::equalsIgnoreCase).findFirst().orElse(null);
      if (wire != null) {
        confirmed.add(wire);
      } else {
        System.err.println("unconfirmed operation " + op + " in " + jar.getFileName() + " (skipped)");
      }
    }
    return confirmed;
  }

  /** The UTF-8 constants of a class file (JVMS 4.4). */
  static Set<String> constantStrings(InputStream raw) throws IOException {
    DataInputStream in = new DataInputStream(raw);
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    Set<String> out = new HashSet<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> out.add(in.readUTF());
        case 3, 4 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++;
        }
        case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
        case 9, 10, 11, 12, 17, 18 -> in.readInt();
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        default -> throw new IOException("unknown constant tag " + tag);
      }
    }
    return out;
  }
}
