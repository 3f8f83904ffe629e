package dev.portcullis.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.testing.TempDirs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Throughput of {@code backtest} over a day of CloudTrail log files, run as a user runs it: the
 * packaged jar in its own JVM.
 *
 * <ol>
 *   <li>A day of log files is written to a temporary folder as CloudTrail writes them to S3: one
 *       gzip {@code {"Records":[...]}} file every 5 minutes (288 files), named {@code
 *       <account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<random>.json.gz} under {@code
 *       AWSLogs/<account>/CloudTrail/<region>/yyyy/mm/dd/}. The records are the shared corpus's
 *       CloudTrail records taken in turn (all files but {@code awsdocs.jsonl}), each with a fresh
 *       event id and an event time inside its file's 5 minutes; nothing else in them is changed.
 *   <li>{@code java -jar target/quarkus-app/quarkus-run.jar backtest rules --from <folder>} runs R
 *       times (under {@code /usr/bin/time -v} when there is one, for CPU time and peak RSS); each
 *       run's wall time, the command's own "Judged ... in s" and events/s are printed, then the
 *       median.
 *   <li>Each run's output is checked: every generated record judged or refused, no rule failures,
 *       {@code cloudtrail-stopped} flagged some events, and the per-policy table the same in every
 *       run; a broken backtest fails the benchmark (exit 1).
 * </ol>
 *
 * Run: {@code ./mvnw -B -q -Pbench package -DskipTests exec:exec
 * -Dbench.main=dev.portcullis.bench.BacktestLoad -Dbench.args="200,1000 3"} (records per file, one
 * day per value; runs per day). {@code BENCH_JAVA_OPTS} adds options to the backtest's JVM (e.g.
 * {@code -XX:StartFlightRecording=filename=/tmp/backtest.jfr}).
 */
public final class BacktestLoad {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCOUNT = "111122223333";
  static final String REGION = "us-east-1";
  static final Instant DAY = Instant.parse("2026-11-30T00:00:00Z");
  static final int FILES = 24 * 12;
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

  /** What one backtest run gave. */
  record Run(
      double wallSeconds,
      double commandSeconds,
      double cpuSeconds,
      long maxRssKb,
      int judged,
      String table) {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && !args[0].matches("\\d+(,\\d+)*")) {
      // Without -Dbench.args the bench profile passes its JMH default (EvaluationBenchmark).
      args = new String[0];
    }
    int[] perFile =
        Arrays.stream((args.length > 0 ? args[0] : "200").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;

    Path corpus =
        Path.of(System.getProperty("test.corpus.dir", "../shared/corpus")).resolve("cloudtrail");
    if (!Files.isDirectory(corpus)) {
      System.out.println(
          "[backtest] the event corpus is missing at "
              + corpus.toAbsolutePath().normalize()
              + " (set -Dtest.corpus.dir=<dir>); nothing to generate the log files from");
      System.exit(2);
    }
    if (!Files.isRegularFile(JAR)) {
      System.out.println("[backtest] no " + JAR + ": package first (./mvnw -Pbench package)");
      System.exit(2);
    }
    List<ObjectNode> records = corpus(corpus);
    boolean timeV = Files.isExecutable(Path.of("/usr/bin/time"));
    log(
        String.format(
            "%d corpus records; %d cores; java %s; /usr/bin/time %s",
            records.size(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            timeV ? "yes" : "no (no CPU time or RSS)"));

    StringBuilder summary = new StringBuilder();
    boolean ok = true;
    for (int n : perFile) {
      Path dir = TempDirs.create("btbench-");
      try {
        long t0 = System.nanoTime();
        long[] sizes = writeDay(dir, records, n);
        int events = FILES * n;
        log(
            String.format(
                "a day in %s: %d files x %d records = %,d events, %.1f MB gzip, %.1f MB JSON"
                    + " (written in %.1f s)",
                dir,
                FILES,
                n,
                events,
                sizes[0] / 1e6,
                sizes[1] / 1e6,
                (System.nanoTime() - t0) / 1e9));
        String loadBefore = loadavg();
        List<Run> runs = new ArrayList<>();
        for (int r = 1; r <= repeats; r++) {
          Run run = backtest(dir, timeV);
          runs.add(run);
          log(
              String.format(
                  "run %d/%d: %,d judged, wall %.2f s (%,.0f events/s), in the command %.2f s"
                      + " (%,.0f events/s), CPU %.2f s, peak RSS %,d MB; load %s",
                  r,
                  repeats,
                  run.judged(),
                  run.wallSeconds(),
                  events / run.wallSeconds(),
                  run.commandSeconds(),
                  run.judged() / run.commandSeconds(),
                  run.cpuSeconds(),
                  run.maxRssKb() / 1024,
                  loadavg()));
          String problem = check(run, events, runs.get(0));
          if (problem != null) {
            log("BROKEN: " + problem);
            log("its output:\n" + run.table());
            ok = false;
          }
        }
        String loadAfter = loadavg();
        log("per-policy table of the first run:\n" + runs.get(0).table());
        double wall = median(runs.stream().mapToDouble(Run::wallSeconds).toArray());
        double cmd = median(runs.stream().mapToDouble(Run::commandSeconds).toArray());
        double cpu = median(runs.stream().mapToDouble(Run::cpuSeconds).toArray());
        double rss = median(runs.stream().mapToDouble(x -> x.maxRssKb() / 1024.0).toArray());
        summary.append(
            String.format(
                "| %d x %d | %,d | %.1f / %.1f | %.2f | %,.0f | %.2f | %,.0f | %.1f | %,.0f |"
                    + " %s / %s |%n",
                FILES,
                n,
                events,
                sizes[0] / 1e6,
                sizes[1] / 1e6,
                wall,
                events / wall,
                cmd,
                runs.get(0).judged() / cmd,
                cpu,
                rss,
                loadBefore.split(" ")[0],
                loadAfter.split(" ")[0]));
      } finally {
        TempDirs.deleteRecursively(dir);
      }
    }
    System.out.printf(
        "%n| files x records | events | MB gzip / JSON | wall s (median of %d) | events/s (wall)"
            + " | s in the command | events/s in the command | CPU s | peak RSS MB"
            + " | load average before / after |%n|---|---|---|---|---|---|---|---|---|---|%n%s",
        repeats, summary);
    if (!ok) {
      log("the backtest's output was not as expected (see BROKEN above)");
      System.exit(1);
    }
  }

  /** The corpus's CloudTrail records, file by file, without the CC-BY-SA awsdocs.jsonl. */
  static List<ObjectNode> corpus(Path dir) throws IOException {
    List<ObjectNode> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".jsonl"))
              .filter(p -> !p.getFileName().toString().equals("awsdocs.jsonl"))
              .sorted()
              .toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            out.add((ObjectNode) JSON.readTree(line));
          }
        }
      }
    }
    return out;
  }

  /** Writes a day's 288 log files of {@code perFile} records; returns {gzip bytes, JSON bytes}. */
  static long[] writeDay(Path root, List<ObjectNode> records, int perFile) throws IOException {
    Random random = new Random(42);
    DateTimeFormatter stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);
    DateTimeFormatter folder = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    Path day =
        root.resolve("AWSLogs/" + ACCOUNT + "/CloudTrail/" + REGION + "/" + folder.format(DAY));
    Files.createDirectories(day);
    long gzip = 0;
    long plain = 0;
    int next = 0;
    for (int f = 0; f < FILES; f++) {
      Instant from = DAY.plus(5L * f, ChronoUnit.MINUTES);
      ObjectNode file = JSON.createObjectNode();
      ArrayNode list = file.putArray("Records");
      for (int i = 0; i < perFile; i++) {
        ObjectNode r = records.get(next++ % records.size()).deepCopy();
        r.put("eventID", new UUID(random.nextLong(), random.nextLong()).toString());
        long ms = (300_000L * i) / perFile + random.nextInt(Math.max(1, 300_000 / perFile));
        r.put("eventTime", from.plusMillis(ms).truncatedTo(ChronoUnit.SECONDS).toString());
        list.add(r);
      }
      byte[] json = JSON.writeValueAsBytes(file);
      String name =
          ACCOUNT
              + "_CloudTrail_"
              + REGION
              + "_"
              + stamp.format(from.plus(5, ChronoUnit.MINUTES))
              + "_"
              + randomName(random)
              + ".json.gz";
      Path p = day.resolve(name);
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
        out.write(json);
      }
      gzip += Files.size(p);
      plain += json.length;
    }
    return new long[] {gzip, plain};
  }

  static String randomName(Random random) {
    String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      b.append(chars.charAt(random.nextInt(chars.length())));
    }
    return b.toString();
  }

  static final Pattern JUDGED =
      Pattern.compile("Judged ([\\d,]+) events in [\\d.]+ s \\(([\\d,]+) events/s\\)");
  static final Pattern REFUSED =
      Pattern.compile("Refused inputs \\(not events, by reason\\): (.*)");
  static final Pattern RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");
  static final Pattern USER = Pattern.compile("User time \\(seconds\\): ([\\d.]+)");
  static final Pattern SYS = Pattern.compile("System time \\(seconds\\): ([\\d.]+)");

  /** One backtest in its own JVM over the folder. */
  static Run backtest(Path folder, boolean timeV) throws Exception {
    Path out = Files.createTempFile("btbench-out-", ".txt");
    Path times = Files.createTempFile("btbench-time-", ".txt");
    try {
      List<String> cmd = new ArrayList<>();
      if (timeV) {
        cmd.addAll(List.of("/usr/bin/time", "-v", "-o", times.toString()));
      }
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      String opts = System.getenv("BENCH_JAVA_OPTS");
      if (opts != null && !opts.isBlank()) {
        cmd.addAll(Arrays.asList(opts.trim().split("\\s+")));
      }
      cmd.addAll(
          List.of(
              "-jar",
              JAR.toString(),
              "backtest",
              "rules",
              "--from",
              folder.toString(),
              "--no-progress"));
      long t0 = System.nanoTime();
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("backtest still running after 30 min");
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      String text = Files.readString(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("backtest exited " + p.exitValue() + ":\n" + text);
      }
      Matcher m = JUDGED.matcher(text);
      if (!m.find()) {
        throw new IllegalStateException("no 'Judged ... events in ... s' in:\n" + text);
      }
      int judged = Integer.parseInt(m.group(1).replace(",", ""));
      // The command prints its seconds to 0.1; its events/s is the finer figure.
      double command = judged / Double.parseDouble(m.group(2).replace(",", ""));
      double cpu = Double.NaN;
      long rss = 0;
      if (timeV) {
        String t = Files.readString(times);
        Matcher u = USER.matcher(t);
        Matcher s = SYS.matcher(t);
        if (u.find() && s.find()) {
          cpu = Double.parseDouble(u.group(1)) + Double.parseDouble(s.group(1));
        }
        Matcher r = RSS.matcher(t);
        rss = r.find() ? Long.parseLong(r.group(1)) : 0;
      }
      return new Run(wall, command, cpu, rss, judged, text);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(times);
    }
  }

  /** Why the run's output is not what a working backtest prints, or null. */
  static String check(Run run, int events, Run first) {
    int refused = 0;
    Matcher m = REFUSED.matcher(run.table());
    if (m.find()) {
      for (String part : m.group(1).replaceAll("[{}]", "").split(",\\s*")) {
        int eq = part.lastIndexOf('=');
        if (eq > 0) {
          refused += Integer.parseInt(part.substring(eq + 1).trim());
        }
      }
    }
    if (run.judged() + refused != events) {
      return run.judged() + " judged + " + refused + " refused, not the " + events + " written";
    }
    if (run.judged() < events * 0.9) {
      return "only " + run.judged() + " of " + events + " events judged";
    }
    if (run.table().contains("Events the rules failed on")) {
      return "the rules failed on some events";
    }
    Map<String, int[]> policies = policies(run.table());
    int[] stopped = policies.get("cloudtrail-stopped");
    if (stopped == null || stopped[4] == 0) {
      return "cloudtrail-stopped flagged no event (the corpus has StopLogging and DeleteTrail)";
    }
    Map<String, int[]> expected = policies(first.table());
    for (Map.Entry<String, int[]> e : expected.entrySet()) {
      if (!Arrays.equals(e.getValue(), policies.get(e.getKey()))) {
        return "the counts of " + e.getKey() + " differ from the first run's";
      }
    }
    return null;
  }

  /** The per-policy rows: block, alert, audit, suppressed, events. */
  static Map<String, int[]> policies(String output) {
    Map<String, int[]> out = new LinkedHashMap<>();
    Pattern row =
        Pattern.compile(
            "(?m)^([a-z0-9][a-z0-9-]*)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");
    Matcher m = row.matcher(output);
    while (m.find()) {
      int[] counts = new int[5];
      for (int i = 0; i < 5; i++) {
        counts[i] = Integer.parseInt(m.group(i + 2));
      }
      out.put(m.group(1), counts);
    }
    return out;
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "n/a";
    }
  }

  static void log(String s) {
    System.out.println("[backtest] " + s);
  }

  private BacktestLoad() {}
}
