package io.offloadcl;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.PackageMatchers;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package rules of ARCHITECTURE.md: who may import whom, JOCL only in runtime.opencl, nothing
 * importing cli, System.exit only in cli, environment and system properties read only by ir.Settings, and a
 * package-info.java in every package. A new package adds its row in ARCHITECTURE.md and here.
 */
class ArchitectureTest {
  private static final String BASE = "io.offloadcl";
  // every package may use the JDK and Guava
  private static final String[] COMMON = {"java..", "com.google.common.."};
  // report and chart libraries from the pom, open to every stage above ops (never to ir, ops, onnx)
  private static final String[] REPORTS = {"com.google.gson..", "org.jfree..", "me.tongfei.progressbar..", "org.slf4j.."};

  private static JavaClasses main;

  @BeforeAll
  static void importClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(BASE);
  }

  /** Classes in {@code pkg} (and below) depend only on the common set, themselves and {@code allowed}. */
  private static void onlyUses(String pkg, String... allowed) {
    List<String> pkgs = new ArrayList<>(List.of(COMMON));
    pkgs.add(BASE + "." + pkg + "..");
    for (String a : allowed) {
      pkgs.add(a.contains(".") ? a : BASE + "." + a + "..");
    }
    PackageMatchers matchers = PackageMatchers.of(pkgs);
    DescribedPredicate<JavaClass> ok = new DescribedPredicate<>("reside in " + pkgs + " (or are primitives)") {
      @Override
      public boolean test(JavaClass c) {
        JavaClass base = c.getBaseComponentType();
        return base.isPrimitive() || matchers.test(base.getPackageName());
      }
    };
    ArchRule rule = classes().that().resideInAPackage(BASE + "." + pkg + "..").should().onlyDependOnClassesThat(ok)
        .allowEmptyShould(true);
    rule.check(main);
  }

  private static void onlyUsesWithReports(String pkg, String... allowed) {
    List<String> all = new ArrayList<>(List.of(allowed));
    all.addAll(List.of(REPORTS));
    onlyUses(pkg, all.toArray(new String[0]));
  }

  @Test
  void irUsesOnlyJdkAndGuava() {
    onlyUses("ir");
  }

  @Test
  void opsUsesOnlyIr() {
    onlyUses("ops", "ir");
  }

  @Test
  void onnxUsesIrOpsAndProtobuf() {
    onlyUses("onnx", "ir", "ops", "ai.onnx.proto..", "com.google.protobuf..");
  }

  @Test
  void passesUseIrOpsDevice() {
    onlyUsesWithReports("passes", "ir", "ops", "device");
  }

  @Test
  void quantUsesIrOpsPasses() {
    onlyUsesWithReports("quant", "ir", "ops", "passes");
  }

  @Test
  void deviceUsesIrOps() {
    onlyUsesWithReports("device", "ir", "ops", "org.yaml..");
  }

  @Test
  void placementUsesIrOpsDevice() {
    onlyUsesWithReports("placement", "ir", "ops", "device");
  }

  @Test
  void codegenUsesIrOpsDevice() {
    onlyUsesWithReports("codegen", "ir", "ops", "device");
  }

  @Test
  void runtimeUsesEverythingBelowIt() {
    onlyUsesWithReports("runtime", "ir", "ops", "onnx", "passes", "quant", "device", "placement", "codegen",
        "org.jocl..");
  }

  @Test
  void apiUsesEverythingBelowIt() {
    onlyUsesWithReports("api", "ir", "ops", "onnx", "passes", "quant", "device", "placement", "codegen", "runtime",
        "org.slf4j..", "ai.onnxruntime..");
  }

  @Test
  void onlyTheBenchmarkComparisonTouchesOnnxRuntime() {
    // ONNX Runtime is a provided-scope jar for `bench --vs-onnxruntime`: one class, made by reflection
    noClasses().that().doNotHaveFullyQualifiedName(BASE + ".api.OrtBenchEngine").should().dependOnClassesThat()
        .resideInAPackage("ai.onnxruntime..").check(main);
  }

  @Test
  void cliUsesApiAndReports() {
    // ir for the error types and dtypes; device/placement/passes for the reports they produce
    onlyUsesWithReports("cli", "api", "ir", "device", "placement", "passes", "picocli..");
  }

  @Test
  void onlyRuntimeOpenclTouchesJocl() {
    noClasses().that().resideOutsideOfPackage(BASE + ".runtime.opencl..").should().dependOnClassesThat()
        .resideInAPackage("org.jocl..").check(main);
  }

  @Test
  void nothingImportsCli() {
    noClasses().that().resideOutsideOfPackage(BASE + ".cli..").should().dependOnClassesThat()
        .resideInAPackage(BASE + ".cli..").check(main);
  }

  @Test
  void onlyCliCallsSystemExit() {
    noClasses().that().resideOutsideOfPackage(BASE + ".cli..").should().callMethod(System.class, "exit", int.class)
        .orShould().callMethod(Runtime.class, "exit", int.class).orShould().callMethod(Runtime.class, "halt", int.class)
        .check(main);
  }

  @Test
  void onlySettingsReadsEnvironmentAndProperties() {
    noClasses().that().doNotHaveFullyQualifiedName(BASE + ".ir.Settings")
        .should().callMethod(System.class, "getenv", String.class)
        .orShould().callMethod(System.class, "getenv")
        .orShould().callMethod(System.class, "getProperty", String.class)
        .orShould().callMethod(System.class, "getProperty", String.class, String.class)
        .orShould().callMethod(System.class, "getProperties")
        .orShould().callMethod(Boolean.class, "getBoolean", String.class)
        .orShould().callMethod(Integer.class, "getInteger", String.class)
        .orShould().callMethod(Long.class, "getLong", String.class)
        .check(main);
  }

  @Test
  void everyPackageHasPackageInfo() throws IOException {
    Path root = Paths.get("src/main/java");
    assertTrue(Files.isDirectory(root), "run from the project root: " + root.toAbsolutePath());
    Set<String> missing = new TreeSet<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path d : (Iterable<Path>) s.filter(Files::isDirectory)::iterator) {
        try (Stream<Path> f = Files.list(d)) {
          if (f.anyMatch(p -> p.toString().endsWith(".java")) && !Files.exists(d.resolve("package-info.java"))) {
            missing.add(root.relativize(d).toString().replace('/', '.'));
          }
        }
      }
    }
    assertTrue(missing.isEmpty(), "packages without package-info.java: " + missing);
  }

  @Test
  void rulesSeeTheCode() {
    // guards against an import that silently finds nothing and makes every rule above vacuous
    assertFalse(main.that(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(BASE + ".ir..")).isEmpty());
    assertFalse(main.that(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(BASE + ".api..")).isEmpty());
  }
}
