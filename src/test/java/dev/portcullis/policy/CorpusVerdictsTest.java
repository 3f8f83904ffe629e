package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.enrich.DueEvaluation;
import dev.portcullis.enrich.Enrichment;
import dev.portcullis.enrich.FactContext;
import dev.portcullis.enrich.Lookups;
import dev.portcullis.enrich.StateStore;
import dev.portcullis.event.ChangeEvent;
import dev.portcullis.event.EventDecoder;
import dev.portcullis.testing.Corpus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The bundled policies over the whole shared corpus: they must flag exactly the corpus events
 * listed, with their reasons, in {@code src/test/resources/corpus-flags.txt}, and stay quiet on
 * every other (benign) event. A policy that starts flagging a new corpus event fails this test
 * until a person has looked at the event and listed it.
 *
 * <p>The events go through the standard enrichment (fact providers, with the policies' default
 * parameters and no lookups), in corpus order with one state, as a stream would see them.
 */
class CorpusVerdictsTest {

  @Test
  void theBundledPoliciesFlagOnlyTheListedCorpusEvents() throws Exception {
    PolicySet policies =
        new PolicyCompiler(-1, Clock.systemUTC())
            .compile(PolicySources.fromDirectory(Path.of("rules")));
    EventDecoder decoder = new EventDecoder(new ObjectMapper(), 1 << 24);
    // As the stream runs them: the standard enrichment, default parameters, no AWS lookups, one
    // state across the whole corpus, and the decisions that fall due later counted for the event
    // that made them due.
    Enrichment enrichment = Enrichment.standard();
    FactContext context =
        new FactContext(Lookups.NONE, policies.parameters(Map.of()), new StateStore(), true);
    TreeSet<String> flagged = new TreeSet<>();
    for (String kind : List.of("cloudtrail", "k8saudit")) {
      for (Corpus.Line line : Corpus.lines(kind)) {
        for (ChangeEvent e :
            decoder.decode(line.json().getBytes(StandardCharsets.UTF_8), Instant.EPOCH).events()) {
          List<Decision> decisions =
              new ArrayList<>(policies.evaluate(e, enrichment.facts(e, context), Map.of()));
          for (DueEvaluation due : enrichment.due(context, null)) {
            decisions.addAll(policies.evaluate(due, Map.of()));
          }
          for (Decision d : decisions) {
            flagged.add(line.ref() + " " + d.policy());
          }
        }
      }
    }
    assertThat(flagged).containsExactlyElementsOf(expected());
  }

  /** Lines {@code <corpus ref> <policy> # why}, without the reasons. */
  private static TreeSet<String> expected() throws IOException {
    TreeSet<String> out = new TreeSet<>();
    try (InputStream in = CorpusVerdictsTest.class.getResourceAsStream("/corpus-flags.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        // A comment starts at a '#' at the line start or after a space (refs contain '#').
        String l = line.replaceAll("(^|\\s)#.*$", "");
        if (!l.isBlank()) {
          out.add(l.trim().replaceAll("\\s+", " "));
        }
      }
    }
    return out;
  }
}
