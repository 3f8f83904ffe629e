package dev.portcullis.policy;

import dev.portcullis.event.ChangeEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.compiler.builder.impl.KnowledgeBuilderImpl;
import org.drools.compiler.lang.descr.CompositePackageDescr;
import org.drools.drl.ast.descr.AccumulateDescr;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.CollectDescr;
import org.drools.drl.ast.descr.ConditionalElementDescr;
import org.drools.drl.ast.descr.EntryPointDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.RuleDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsParserException;
import org.drools.kiesession.rulebase.InternalKnowledgeBase;
import org.drools.kiesession.rulebase.KnowledgeBaseFactory;
import org.kie.api.KieBaseConfiguration;
import org.kie.api.KieServices;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.api.io.Resource;
import org.kie.api.io.ResourceType;
import org.kie.internal.builder.KnowledgeBuilder;
import org.kie.internal.builder.KnowledgeBuilderConfiguration;
import org.kie.internal.builder.KnowledgeBuilderFactory;
import org.kie.internal.builder.KnowledgeBuilderResult;
import org.kie.internal.builder.ResultSeverity;
import org.kie.internal.conf.ConstraintJittingThresholdOption;
import org.kie.internal.io.ResourceFactory;

/**
 * Compiles a policy folder into a {@link PolicySet} with the plain Drools engine.
 *
 * <p>Layout: {@code <id>/policy.drl} (any {@code .drl} in the folder) and {@code <id>/policy.yaml}
 * per policy; {@code shared/*.drl} for imports, functions and the {@code verdicts} global that
 * every policy uses; {@code exceptions/*.yaml} for reviewed waivers; {@code <id>/tests/} for the
 * policy's test cases (read by {@link PolicyTestSuite}, not compiled). Checks on the way: metadata
 * complete and valid ({@link MetadataReader}), DRL compiles, CloudTrail event names exist ({@link
 * PolicyLint}), exceptions valid ({@link ExceptionReader}). Every problem found is reported at
 * once, each with its file and line.
 */
public final class PolicyCompiler {

  /** Name of the global through which rules record findings. */
  public static final String VERDICTS_GLOBAL = "verdicts";

  /** Folder of DRL shared by every policy. */
  public static final String SHARED = "shared";

  /** The metadata file of a policy folder. */
  public static final String METADATA = "policy.yaml";

  /** Default limit on how far ahead an exception may expire. */
  public static final Duration DEFAULT_EXCEPTION_MAX_AHEAD = Duration.ofDays(90);

  private final int jittingThreshold;
  private final Clock clock;
  private final boolean strict;
  private final Duration exceptionMaxAhead;
  private final CloudTrailCatalog catalog;

  /** A compiler for the running service: unknown CloudTrail names are warnings. */
  public PolicyCompiler(int jittingThreshold, Clock clock) {
    this(jittingThreshold, clock, false, DEFAULT_EXCEPTION_MAX_AHEAD);
  }

  /**
   * @param strict true for the {@code test} command: unknown CloudTrail event names are errors
   * @param exceptionMaxAhead how far after load time an exception may expire
   */
  public PolicyCompiler(
      int jittingThreshold, Clock clock, boolean strict, Duration exceptionMaxAhead) {
    this.jittingThreshold = jittingThreshold;
    this.clock = clock;
    this.strict = strict;
    this.exceptionMaxAhead = exceptionMaxAhead;
    this.catalog = CloudTrailCatalog.bundled();
  }

  /**
   * Compiles the given files (relative path to content).
   *
   * @throws PolicyLoadException listing every problem when anything is wrong
   */
  public PolicySet compile(Map<String, byte[]> files) throws PolicyLoadException {
    List<Problem> problems = new ArrayList<>();
    List<Problem> warnings = new ArrayList<>();
    Map<String, PolicyMetadata> policies = new LinkedHashMap<>();
    Map<String, String> policyOfFile = new HashMap<>();

    TreeSet<String> folders = new TreeSet<>();
    TreeSet<String> withMetadata = new TreeSet<>();
    for (String path : files.keySet()) {
      int slash = path.indexOf('/');
      if (slash > 0 && path.endsWith(".drl") && !path.startsWith(SHARED + "/")) {
        folders.add(path.substring(0, slash));
      } else if (slash < 0 && path.endsWith(".drl")) {
        problems.add(
            Problem.of(path, "a rule file must live in its policy's folder (<id>/policy.drl)"));
      }
      if (slash > 0 && path.substring(slash + 1).equals(METADATA)) {
        withMetadata.add(path.substring(0, slash));
      }
    }
    for (String id : withMetadata) {
      if (!folders.contains(id)) {
        problems.add(
            Problem.of(id + "/" + METADATA, "the policy has no rule (" + id + "/policy.drl)"));
      }
    }
    for (String id : folders) {
      byte[] yaml = files.get(id + "/" + METADATA);
      PolicyMetadata meta = MetadataReader.read(id, yaml, problems, warnings);
      Map<String, byte[]> drl = new TreeMap<>();
      files.entrySet().stream()
          .filter(e -> e.getKey().startsWith(id + "/") && e.getKey().endsWith(".drl"))
          .forEach(
              e -> {
                policyOfFile.put(e.getKey(), id);
                drl.put(e.getKey(), e.getValue());
              });
      if (meta != null) {
        policies.put(id, meta);
        Map<String, Integer> lines = Map.of();
        try {
          lines = YamlFiles.read(id + "/" + METADATA, yaml).lines();
        } catch (PolicyLoadException e) {
          // reported by the metadata reader
        }
        PolicyLint.check(meta, drl, lines, catalog, strict, problems, warnings);
      }
    }

    // Two rules with one name in one package would silently replace each other. (Set as a property:
    // KBuilderSeverityOption through setOption recurses forever in Drools 10.2.0.)
    Properties builderProps = new Properties();
    builderProps.setProperty("drools.kbuilder.severity.duplicateRule", "ERROR");
    KnowledgeBuilderConfiguration conf =
        KnowledgeBuilderFactory.newKnowledgeBuilderConfiguration(
            builderProps, PolicyCompiler.class.getClassLoader());
    KnowledgeBuilder builder = KnowledgeBuilderFactory.newKnowledgeBuilder(conf);
    List<String> drl = new ArrayList<>();
    files.keySet().stream()
        .filter(path -> path.startsWith(SHARED + "/") && path.endsWith(".drl"))
        .forEach(drl::add);
    files.keySet().stream().filter(policyOfFile::containsKey).forEach(drl::add);
    PolicyRoutes routes = PolicyRoutes.of(policies.values());
    Map<String, PackageDescr> parsed = problems.isEmpty() ? parse(files, drl) : null;
    if (parsed == null) {
      // Something is already wrong, or a file does not parse: let Drools report every file's
      // errors as it does, file by file (nothing is built from this).
      drl.forEach(path -> add(builder, path, files.get(path)));
    } else {
      build(
          builder,
          parsed,
          path ->
              policyOfFile.containsKey(path) ? routes.entryPoint(policyOfFile.get(path)) : null);
    }
    for (KnowledgeBuilderResult r : builder.getResults(ResultSeverity.ERROR)) {
      problems.add(describe(r));
    }
    for (KnowledgeBuilderResult r : builder.getResults(ResultSeverity.WARNING)) {
      warnings.add(describe(r));
    }
    if (!problems.isEmpty()) {
      throw new PolicyLoadException(withoutEchoes(problems), warnings);
    }

    Map<String, String> policyByRule = new HashMap<>();
    boolean hasVerdicts = false;
    for (KiePackage pkg : builder.getKnowledgePackages()) {
      hasVerdicts |=
          pkg.getGlobalVariables().stream().anyMatch(g -> g.getName().equals(VERDICTS_GLOBAL));
      for (Rule rule : pkg.getRules()) {
        String source = sourceOf(rule);
        String id = source == null ? null : policyOfFile.get(source);
        if (id != null) {
          policyByRule.put(ruleKey(rule), id);
        } else {
          problems.add(
              Problem.of(
                  source == null ? "?" : source,
                  "rule '"
                      + rule.getName()
                      + "' is outside a policy folder; shared files may hold functions and"
                      + " declarations, not rules"));
        }
      }
    }
    if (!folders.isEmpty() && !hasVerdicts) {
      problems.add(
          Problem.of(
              SHARED + "/",
              "no DRL declares 'global dev.portcullis.policy.Verdicts verdicts;' (put it in "
                  + SHARED
                  + "/)"));
    }
    Instant now = clock.instant();
    List<PolicyException> exceptions =
        ExceptionReader.read(files, policies.keySet(), now, exceptionMaxAhead, problems, warnings);
    if (!problems.isEmpty()) {
      throw new PolicyLoadException(withoutEchoes(problems), warnings);
    }

    KieBaseConfiguration kbConf = KieServices.get().newKieBaseConfiguration();
    kbConf.setOption(ConstraintJittingThresholdOption.get(jittingThreshold));
    InternalKnowledgeBase kieBase = KnowledgeBaseFactory.newKnowledgeBase(kbConf);
    kieBase.addPackages(builder.getKnowledgePackages());
    return new PolicySet(
        kieBase, policies, policyByRule, routes, version(files), now, warnings, exceptions);
  }

  /**
   * Drops Drools' "Parser returned a null Package" when the same file already has a real error: it
   * only repeats that the file did not parse.
   */
  private static List<Problem> withoutEchoes(List<Problem> problems) {
    List<Problem> out = new ArrayList<>();
    for (Problem p : problems) {
      boolean echo =
          p.message().startsWith("Parser returned a null Package")
              && problems.stream()
                  .anyMatch(o -> o != p && java.util.Objects.equals(o.file(), p.file()));
      if (!echo) {
        out.add(p);
      }
    }
    return out;
  }

  static String ruleKey(Rule rule) {
    return rule.getPackageName() + "\u0000" + rule.getName();
  }

  private static String sourceOf(Rule rule) {
    if (rule instanceof RuleImpl impl && impl.getResource() != null) {
      return impl.getResource().getSourcePath();
    }
    return null;
  }

  private static void add(KnowledgeBuilder builder, String path, byte[] content) {
    builder.add(
        ResourceFactory.newByteArrayResource(content).setSourcePath(path), ResourceType.DRL);
  }

  /** Every DRL file parsed, by path; null when one does not parse. */
  private static Map<String, PackageDescr> parse(Map<String, byte[]> files, List<String> paths) {
    Map<String, PackageDescr> out = new LinkedHashMap<>();
    for (String path : paths) {
      Resource resource = ResourceFactory.newByteArrayResource(files.get(path)).setSourcePath(path);
      DrlParser parser = new DrlParser();
      try {
        PackageDescr pkg = parser.parse(resource);
        if (pkg == null || parser.hasErrors()) {
          return null;
        }
        out.put(path, pkg);
      } catch (DroolsParserException | IOException e) {
        return null;
      }
    }
    return out;
  }

  /**
   * Builds the parsed files in one pass, as Drools' batch build does: the files of one package are
   * compiled together. (Added one by one, each file compiled its package's Java again, with every
   * function of the package imported: with 1,000 policies that took most of the load time.) Each
   * policy's {@code ChangeEvent} patterns are first put on the entry point of its route ({@link
   * PolicyRoutes}); a pattern that already names its source ({@code from}, an entry point) is kept.
   */
  private static void build(
      KnowledgeBuilder builder,
      Map<String, PackageDescr> parsed,
      java.util.function.Function<String, String> entryPointOfFile) {
    Map<String, CompositePackageDescr> byPackage = new LinkedHashMap<>();
    parsed.forEach(
        (path, pkg) -> {
          String entryPoint = entryPointOfFile.apply(path);
          if (entryPoint != null) {
            for (RuleDescr rule : pkg.getRules()) {
              route(rule.getLhs(), entryPoint);
            }
          }
          Resource resource = pkg.getResource();
          CompositePackageDescr composite = byPackage.get(pkg.getNamespace());
          if (composite == null) {
            byPackage.put(pkg.getNamespace(), new CompositePackageDescr(resource, pkg));
          } else {
            composite.addPackageDescr(resource, pkg);
          }
        });
    ((KnowledgeBuilderImpl) builder).buildPackages(byPackage.values());
  }

  /** Puts every {@code ChangeEvent} pattern under this element on the entry point. */
  private static void route(BaseDescr descr, String entryPoint) {
    if (descr instanceof PatternDescr pattern) {
      if (pattern.getSource() == null && isChangeEvent(pattern.getObjectType())) {
        pattern.setSource(new EntryPointDescr(entryPoint));
      } else if (pattern.getSource() instanceof CollectDescr collect) {
        route(collect.getInputPattern(), entryPoint);
      } else if (pattern.getSource() instanceof AccumulateDescr accumulate) {
        route(accumulate.getInput(), entryPoint);
      }
    } else if (descr instanceof ConditionalElementDescr ce) {
      for (BaseDescr child : ce.getDescrs()) {
        route(child, entryPoint);
      }
    }
  }

  private static boolean isChangeEvent(String type) {
    return type != null
        && (type.equals(ChangeEvent.class.getSimpleName())
            || type.equals(ChangeEvent.class.getName()));
  }

  private static Problem describe(KnowledgeBuilderResult r) {
    String file = r.getResource() == null ? null : r.getResource().getSourcePath();
    int[] lines = r.getLines();
    int line = lines != null && lines.length > 0 && lines[0] > 0 ? lines[0] : 0;
    String msg = r.getMessage() == null ? r.toString() : r.getMessage().trim();
    return Problem.at(file == null ? "?" : file, line, msg);
  }

  /** True for the files whose content changes decisions (not test cases, not notes). */
  static boolean affectsDecisions(String path) {
    return path.endsWith(".drl")
        || path.endsWith("/" + METADATA)
        || path.startsWith(ExceptionReader.FOLDER + "/")
            && (path.endsWith(".yaml") || path.endsWith(".yml"));
  }

  /** Content hash of the files that change decisions. */
  public static String version(Map<String, byte[]> files) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte[]> e : new TreeMap<>(files).entrySet()) {
        if (!affectsDecisions(e.getKey())) {
          continue;
        }
        md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(e.getValue());
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
