package dev.portcullis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.MockLookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.DecodedBatch;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.event.InvalidEventException;
import dev.portcullis.event.StageCoalescing;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.Enforcement;
import dev.portcullis.policy.PolicyLoadException;
import dev.portcullis.policy.PolicySet;
import dev.portcullis.policy.Problem;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code backtest [rules-dir] --from <source> [--from <source>...] [--k8s-audit <file or folder>]
 * [--examples N] [--progress]}: runs the policies over history and prints, per policy, how many
 * events it would have flagged (by effective action) with examples, so a new policy's noise shows
 * before it is enabled.
 *
 * <p>Sources ({@link HistorySource}): a folder or file of CloudTrail log files ({@code .json},
 * {@code .json.gz} as CloudTrail writes them to S3, JSON Lines, any shape the stream accepts), or
 * {@code s3://bucket/prefix}, or {@code lookup:24h} (CloudTrail LookupEvents). The events of all
 * sources are replayed in event-time order through one state, as the stream would judge them (what
 * an earlier event taught, a later one uses), each id once; no lookups are made (decisions on the
 * events and what they taught alone). A progress bar goes to the terminal (stderr) when there is
 * one, or with {@code --progress}.
 *
 * <p>Exit code: 0 done; 2 the policies do not load or a source cannot be read.
 */
public final class BacktestCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The time given to events that carry none: after all history, and shown as such. */
  private static final Instant NO_TIME = Instant.parse("9999-12-31T23:59:59Z");

  private BacktestCommand() {}

  /** What the command line asks for. */
  record Options(
      String rulesDir, List<String> from, List<String> k8sAudit, int examples, boolean progress) {

    static Options parse(String[] args) {
      String rules = null;
      List<String> from = new ArrayList<>();
      List<String> k8s = new ArrayList<>();
      int examples = 3;
      boolean progress = System.console() != null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--from" -> from.add(value(args, ++i, a));
          case "--k8s-audit" -> k8s.add(value(args, ++i, a));
          case "--examples" -> examples = Integer.parseInt(value(args, ++i, a));
          case "--progress" -> progress = true;
          case "--no-progress" -> progress = false;
          default -> {
            if (a.startsWith("--")) {
              throw new IllegalArgumentException("unknown option " + a);
            }
            if (rules != null) {
              throw new IllegalArgumentException("one policies folder only: " + rules + ", " + a);
            }
            rules = a;
          }
        }
      }
      if (from.isEmpty() && k8s.isEmpty()) {
        throw new IllegalArgumentException(
            "nothing to replay: give --from <folder, file or s3://bucket/prefix> and/or"
                + " --k8s-audit <file or folder>");
      }
      return new Options(rules, from, k8s, examples, progress);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }

  /** What one policy would have done. */
  static final class Tally {
    final Map<Enforcement, Integer> byAction = new EnumMap<>(Enforcement.class);
    final Set<String> events = new HashSet<>();
    final List<String> examples = new ArrayList<>();
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    Cli.quietLogs();
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      out.println("ERROR " + e.getMessage());
      out.println(
          "usage: backtest [rules-dir] --from <folder|file|s3://bucket/prefix|lookup:24h> [--from ...]"
              + " [--k8s-audit <file|folder>] [--examples N] [--progress]");
      return 2;
    }
    // The policies are compiled below; a lookup source asks for their event names only when read.
    PolicySet[] compiled = new PolicySet[1];
    java.util.function.Supplier<Set<String>> names =
        () -> dev.portcullis.history.Backfill.cloudTrailNames(compiled[0].policies().values());
    List<HistorySource> sources = new ArrayList<>();
    try {
      for (String f : o.from()) {
        sources.add(HistorySource.of(f, names));
      }
      for (String f : o.k8sAudit()) {
        sources.add(HistorySource.of(f, names));
      }
    } catch (IllegalArgumentException e) {
      out.println("ERROR " + e.getMessage());
      return 2;
    }
    Cli.Folder folder;
    PolicySet set;
    try {
      folder = Cli.folder(o.rulesDir() == null ? new String[0] : new String[] {o.rulesDir()});
      set = Cli.strictCompiler().compile(folder.files());
      compiled[0] = set;
    } catch (IOException e) {
      out.println("ERROR " + e.getMessage());
      return 2;
    } catch (PolicyLoadException e) {
      for (Problem p : e.problems()) {
        out.println("ERROR " + p.describe(""));
      }
      return 2;
    }

    long started = System.nanoTime();
    EventDecoder decoder = new EventDecoder(JSON, 64 * 1024 * 1024);
    List<ChangeEvent> events = new ArrayList<>();
    Map<String, Integer> refused = new TreeMap<>();
    int inputs = 0;
    try (ProgressBar bar = new ProgressBar(err, o.progress(), "reading")) {
      long total = 0;
      for (HistorySource s : sources) {
        total += s.size();
      }
      bar.total(total);
      for (HistorySource s : sources) {
        for (HistorySource.Input in : (Iterable<HistorySource.Input>) s.inputs()::iterator) {
          inputs++;
          try {
            // An event without a time of its own is judged after everything that has one.
            DecodedBatch b = decoder.decode(in.bytes(), NO_TIME);
            events.addAll(StageCoalescing.coalesce(b.events()));
            for (DecodedBatch.Rejected r : b.rejected()) {
              refused.merge(r.reason(), 1, Integer::sum);
            }
          } catch (InvalidEventException e) {
            refused.merge(e.reason(), 1, Integer::sum);
          }
          bar.advance(in.sourceBytes(), events.size() + " events");
        }
      }
    } catch (IOException | RuntimeException e) {
      out.println("ERROR reading history: " + e.getMessage());
      return 2;
    }

    // Replay in event-time order through one state, each id once.
    events.sort(Comparator.comparing(ChangeEvent::getEventTime));
    FactContext context =
        new FactContext(
            new MockLookups(Map.of()), set.parameters(Map.of()), new StateStore(), true);
    Enrichment enrichment = Enrichment.standard();
    Map<String, Tally> tallies = new TreeMap<>();
    for (String policy : set.policies().keySet()) {
      tallies.put(policy, new Tally());
    }
    Set<String> seen = new HashSet<>();
    int judged = 0;
    int failed = 0;
    Instant first = null;
    Instant last = null;
    try (ProgressBar bar = new ProgressBar(err, o.progress(), "judging")) {
      bar.total(events.size());
      for (ChangeEvent e : events) {
        bar.advance(1, judged + " judged");
        if (!seen.add(e.getSource() + "|" + e.getId())) {
          continue;
        }
        judged++;
        if (!e.isEventTimeEstimated()) {
          first = first == null ? e.getEventTime() : first;
          last = e.getEventTime();
        }
        try {
          for (Decision d : set.evaluate(e, enrichment.facts(e, context), Map.of())) {
            tally(tallies, d, e, e.getEventTime(), o.examples());
          }
          for (DueEvaluation due : enrichment.due(context, null)) {
            for (Decision d : set.evaluate(due, Map.of())) {
              tally(tallies, d, due.event(), due.event().getEventTime(), o.examples());
            }
          }
        } catch (RuntimeException ex) {
          failed++;
        }
      }
      if (last != null) {
        // What would have come due after the last event (a DNS change whose mirror never came).
        for (DueEvaluation due : enrichment.due(context, last.plus(Duration.ofDays(1)))) {
          for (Decision d : set.evaluate(due, Map.of())) {
            tally(tallies, d, due.event(), due.event().getEventTime(), o.examples());
          }
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    print(out, folder, o, inputs, judged, refused, failed, first, last, tallies, seconds);
    return 0;
  }

  private static void tally(
      Map<String, Tally> tallies, Decision d, ChangeEvent e, Instant at, int maxExamples) {
    Tally t = tallies.computeIfAbsent(d.policy(), k -> new Tally());
    t.byAction.merge(d.action(), 1, Integer::sum);
    t.events.add(e.getId());
    if (t.examples.size() < maxExamples) {
      t.examples.add(
          String.format(
              "%s  %-10s %-8s %s  [%s %s]",
              e.isEventTimeEstimated() ? "(no event time)     " : at,
              d.action().wireName(),
              d.severity() == null ? "" : d.severity().wireName(),
              d.summary(),
              e.getSource(),
              e.getId()));
    }
  }

  private static void print(
      PrintStream out,
      Cli.Folder folder,
      Options o,
      int inputs,
      int judged,
      Map<String, Integer> refused,
      int failed,
      Instant first,
      Instant last,
      Map<String, Tally> tallies,
      double seconds) {
    out.printf(
        "Backtest of %s over %,d events%s from %,d inputs (%s)%n",
        folder.origin(),
        judged,
        first == null ? "" : " from " + first + " to " + last,
        inputs,
        String.join(", ", concat(o.from(), o.k8sAudit())));
    if (!refused.isEmpty()) {
      out.println("Refused inputs (not events, by reason): " + refused);
    }
    if (failed > 0) {
      out.println("Events the rules failed on: " + failed);
    }
    out.println();
    out.printf(
        "%-28s %8s %8s %8s %11s %8s%n",
        "policy", "block", "alert", "audit", "suppressed", "events");
    for (Map.Entry<String, Tally> en : tallies.entrySet()) {
      Tally t = en.getValue();
      out.printf(
          "%-28s %8d %8d %8d %11d %8d%n",
          en.getKey(),
          t.byAction.getOrDefault(Enforcement.BLOCK, 0),
          t.byAction.getOrDefault(Enforcement.ALERT, 0),
          t.byAction.getOrDefault(Enforcement.AUDIT, 0),
          t.byAction.getOrDefault(Enforcement.SUPPRESSED, 0),
          t.events.size());
    }
    boolean any = tallies.values().stream().anyMatch(t -> !t.examples.isEmpty());
    if (any && o.examples() > 0) {
      out.println();
      out.println("Examples:");
      for (Map.Entry<String, Tally> en : tallies.entrySet()) {
        if (!en.getValue().examples.isEmpty()) {
          out.println("  " + en.getKey());
          en.getValue().examples.forEach(x -> out.println("    " + x));
        }
      }
    }
    out.println();
    out.printf(
        "Judged %,d events in %.1f s (%,.0f events/s)%n",
        judged, seconds, seconds == 0 ? 0 : judged / seconds);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    b.forEach(x -> all.add("k8s-audit " + x));
    return all;
  }
}
