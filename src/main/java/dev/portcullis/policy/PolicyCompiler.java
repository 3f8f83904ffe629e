package dev.portcullis.policy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.drools.base.definitions.rule.impl.RuleImpl;
import org.drools.kiesession.rulebase.InternalKnowledgeBase;
import org.drools.kiesession.rulebase.KnowledgeBaseFactory;
import org.kie.api.KieBaseConfiguration;
import org.kie.api.KieServices;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
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
 * every policy uses; other top-level folders without DRL (such as {@code exceptions/}) are not
 * policies. Every problem found is reported at once, each with its file and line.
 */
public final class PolicyCompiler {

  /** Name of the global through which rules record findings. */
  public static final String VERDICTS_GLOBAL = "verdicts";

  /** Folder of DRL shared by every policy. */
  public static final String SHARED = "shared";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final int jittingThreshold;
  private final Clock clock;

  public PolicyCompiler(int jittingThreshold, Clock clock) {
    this.jittingThreshold = jittingThreshold;
    this.clock = clock;
  }

  /**
   * Compiles the given files (relative path to content).
   *
   * @throws PolicyLoadException listing every problem when anything is wrong
   */
  public PolicySet compile(Map<String, byte[]> files) throws PolicyLoadException {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<String, PolicyMetadata> policies = new LinkedHashMap<>();
    Map<String, String> policyOfFile = new HashMap<>();

    TreeSet<String> folders = new TreeSet<>();
    for (String path : files.keySet()) {
      int slash = path.indexOf('/');
      if (slash > 0 && path.endsWith(".drl") && !path.startsWith(SHARED + "/")) {
        folders.add(path.substring(0, slash));
      } else if (slash < 0 && path.endsWith(".drl")) {
        problems.add(path + ": a rule file must live in its policy's folder (<id>/policy.drl)");
      }
    }
    for (String id : folders) {
      PolicyMetadata meta = readMetadata(id, files.get(id + "/policy.yaml"), problems);
      if (meta != null) {
        policies.put(id, meta);
      }
      files.keySet().stream()
          .filter(p -> p.startsWith(id + "/") && p.endsWith(".drl"))
          .forEach(p -> policyOfFile.put(p, id));
    }

    // Two rules with one name in one package would silently replace each other. (Set as a property:
    // KBuilderSeverityOption through setOption recurses forever in Drools 10.2.0.)
    Properties builderProps = new Properties();
    builderProps.setProperty("drools.kbuilder.severity.duplicateRule", "ERROR");
    KnowledgeBuilderConfiguration conf =
        KnowledgeBuilderFactory.newKnowledgeBuilderConfiguration(
            builderProps, PolicyCompiler.class.getClassLoader());
    KnowledgeBuilder builder = KnowledgeBuilderFactory.newKnowledgeBuilder(conf);
    files.entrySet().stream()
        .filter(e -> e.getKey().startsWith(SHARED + "/") && e.getKey().endsWith(".drl"))
        .forEach(e -> add(builder, e.getKey(), e.getValue()));
    files.entrySet().stream()
        .filter(e -> policyOfFile.containsKey(e.getKey()))
        .forEach(e -> add(builder, e.getKey(), e.getValue()));
    for (KnowledgeBuilderResult r : builder.getResults(ResultSeverity.ERROR)) {
      problems.add(describe(r));
    }
    for (KnowledgeBuilderResult r : builder.getResults(ResultSeverity.WARNING)) {
      warnings.add(describe(r));
    }
    if (!problems.isEmpty()) {
      throw new PolicyLoadException(problems);
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
              (source == null ? "?" : source)
                  + ": rule '"
                  + rule.getName()
                  + "' is outside a policy folder; shared files may hold functions and"
                  + " declarations, not rules");
        }
      }
    }
    if (!folders.isEmpty() && !hasVerdicts) {
      problems.add(
          "no DRL declares 'global dev.portcullis.policy.Verdicts verdicts;' (put it in "
              + SHARED
              + "/)");
    }
    if (!problems.isEmpty()) {
      throw new PolicyLoadException(problems);
    }

    KieBaseConfiguration kbConf = KieServices.get().newKieBaseConfiguration();
    kbConf.setOption(ConstraintJittingThresholdOption.get(jittingThreshold));
    InternalKnowledgeBase kieBase = KnowledgeBaseFactory.newKnowledgeBase(kbConf);
    kieBase.addPackages(builder.getKnowledgePackages());
    return new PolicySet(
        kieBase, policies, policyByRule, version(files), clock.instant(), warnings);
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

  private static String describe(KnowledgeBuilderResult r) {
    String where = r.getResource() == null ? "?" : r.getResource().getSourcePath();
    int[] lines = r.getLines();
    if (lines != null && lines.length > 0 && lines[0] > 0) {
      where += ":" + lines[0];
    }
    String msg = r.getMessage() == null ? r.toString() : r.getMessage().trim();
    return where + ": " + msg;
  }

  private static PolicyMetadata readMetadata(String id, byte[] yaml, List<String> problems) {
    String file = id + "/policy.yaml";
    if (yaml == null) {
      problems.add(file + ": missing; every policy needs its metadata");
      return null;
    }
    PolicyMetadata m;
    try {
      m = YAML.readValue(yaml, PolicyMetadata.class);
    } catch (IOException e) {
      problems.add(file + ": " + firstLine(e.getMessage()));
      return null;
    }
    if (m == null) {
      problems.add(file + ": empty");
      return null;
    }
    int before = problems.size();
    if (!id.equals(m.id())) {
      problems.add(file + ": id '" + m.id() + "' must equal the folder name '" + id + "'");
    }
    require(m.title(), "title", file, problems);
    require(m.owner(), "owner", file, problems);
    require(m.runbook(), "runbook", file, problems);
    if (m.severity() == null) {
      problems.add(file + ": severity is required (critical, high, medium, low, info)");
    }
    if (m.enforcement() == null) {
      problems.add(file + ": enforcement is required (block, alert, audit)");
    }
    return problems.size() == before ? m : null;
  }

  private static void require(String value, String field, String file, List<String> problems) {
    if (value == null || value.isBlank()) {
      problems.add(file + ": " + field + " is required");
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String version(Map<String, byte[]> files) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
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
