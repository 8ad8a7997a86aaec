package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.testing.Requirements;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The ONNX backend node tests on the OpenCL device (POCL in CI): every test the Java reference passes must pass
 * on OpenCL too, on both roots, and none may FAIL or ERROR. Reports land in {@code target/conformance-opencl-*.json}.
 */
@Tag("opencl")
class OpenClConformanceTest {

  private static void check(Path root, String label) {
    Requirements.assumeOrFailInCi(!Devices.list().isEmpty(), "an OpenCL device (apt-get install pocl-opencl-icd ocl-icd-opencl-dev)");
    ConformanceResult java = new ConformanceRunner(ConformanceBackend.reference()).run(List.of(root));
    ConformanceResult ocl = new ConformanceRunner(Devices.conformanceBackend(SessionOptions.Device.OPENCL)).run(List.of(root));
    ocl.writeJson(Paths.get("target/conformance-opencl-" + label + ".json"));
    System.out.println("[" + label + "] java:   " + java.summary());
    System.out.println("[" + label + "] opencl: " + ocl.summary());
    Map<String, ConformanceTestResult> byName = ocl.tests().stream()
        .collect(Collectors.toMap(ConformanceTestResult::name, t -> t, (a, b) -> a));
    Set<String> lost = new TreeSet<>();
    for (ConformanceTestResult t : java.tests()) {
      ConformanceTestResult o = byName.get(t.name());
      if (t.status() == ConformanceStatus.PASS && (o == null || o.status() != ConformanceStatus.PASS)) {
        lost.add(o == null ? t.name() + ": not run" : o.toLine());
      }
    }
    lost.stream().limit(40).forEach(System.out::println);
    assertEquals(0, ocl.failed() + ocl.errors(), ocl.summary());
    assertTrue(lost.isEmpty(), lost.size() + " tests pass on java but not on opencl; first: "
        + lost.stream().limit(10).collect(Collectors.toList()));
    assertTrue(ocl.passed() >= java.passed(), ocl.summary() + " vs java " + java.summary());
  }

  @Test
  void v122NodeTestsPassOnOpenClAsOnJava() {
    check(Requirements.sharedTestData("onnx-node-v1.22"), "v1.22");
  }

  @Test
  void debianNodeTestsPassOnOpenClAsOnJava() {
    check(Requirements.debianOnnxNodeTests(), "debian");
  }
}
