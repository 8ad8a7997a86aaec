package io.offloadcl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.offloadcl.ir.TensorData;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * OffloadCL on POCL inside Docker (the image from docker/pocl, built by docker/build-image.sh): the jar is copied
 * into a container, which runs {@code devices}, the OpenCL conformance suite on the v1.22 node tests and the three
 * shared models. Model outputs must match test_data_set_0 and, bit for bit, what the host's POCL computes.
 */
@Tag("docker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoclContainerIT {
  static final String IMAGE = "offloadcl/pocl:latest";
  static final String JAR_IN_CONTAINER = "/opt/offloadcl/offloadcl.jar";
  static final String[] MODELS = {"mnist-8-opt", "tribuo-cnn-mnist", "tribuo-tinybert"};

  GenericContainer<?> container;
  Path jar;
  Path testdata;

  @BeforeAll
  void start() {
    boolean docker;
    String why = "";
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      docker = false;
      why = ": " + e.getMessage();
    }
    Requirements.assumeOrFailInCi(docker, "a running Docker engine (apt-get install docker.io; start dockerd)" + why);
    boolean image;
    try {
      DockerClientFactory.instance().client().inspectImageCmd(IMAGE).exec();
      image = true;
    } catch (RuntimeException e) {
      image = false;
    }
    Requirements.assumeOrFailInCi(image, "the POCL image " + IMAGE + " (build it with docker/build-image.sh)");
    jar = Paths.get("target", "offloadcl.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the shaded jar " + jar + " must be built before the integration tests (mvn verify)");
    testdata = Requirements.sharedTestData("").toAbsolutePath().normalize();
    container = new GenericContainer<>(DockerImageName.parse(IMAGE))
        .withCommand("sleep", "infinity")
        .withCopyFileToContainer(MountableFile.forHostPath(jar), JAR_IN_CONTAINER)
        .withFileSystemBind(testdata.toString(), "/data", BindMode.READ_ONLY);
    container.start();
  }

  @AfterAll
  void stop() {
    if (container != null) {
      container.stop();
    }
  }

  private ExecResult offloadcl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR_IN_CONTAINER));
    cmd.addAll(List.of(args));
    return container.execInContainer(cmd.toArray(new String[0]));
  }

  @Test
  void devicesListsPocl() throws Exception {
    ExecResult r = offloadcl("devices");
    assertEquals(0, r.getExitCode(), r.getStdout() + r.getStderr());
    assertTrue(r.getStdout().contains("Portable Computing Language"), r.getStdout());
    assertTrue(r.getStdout().contains("pocl-cpu"), "the POCL device should match the pocl-cpu profile:\n" + r.getStdout());
  }

  @Test
  void openClConformanceOnTheV122NodeTests() throws Exception {
    ExecResult r = offloadcl("conformance", "/data/onnx-node-v1.22", "--device", "opencl");
    String out = r.getStdout();
    Matcher m = Pattern.compile("conformance: (\\d+) passed, (\\d+) failed, (\\d+) unsupported, (\\d+) errors").matcher(out);
    assertTrue(m.find(), "no summary line:\n" + tail(out) + r.getStderr());
    List<String> bad = out.lines().filter(l -> l.startsWith("FAIL") || l.startsWith("ERROR")).collect(Collectors.toList());
    assertEquals(List.of(), bad, "failures inside the container");
    assertEquals(0, Integer.parseInt(m.group(2)));
    assertEquals(0, Integer.parseInt(m.group(4)));
    assertTrue(Integer.parseInt(m.group(1)) >= 300, "passed: " + m.group(0));
  }

  @Test
  void sharedModelsMatchExpectedAndHostBitForBit() throws Exception {
    StringBuilder report = new StringBuilder();
    boolean sameDriver = sameDriverVersion();
    for (String model : MODELS) {
      String dataset = "/data/models/" + model + "/test_data_set_0";
      String outDir = "/tmp/out/" + model;
      ExecResult r = offloadcl("run", "/data/models/" + model + "/model.onnx", "--inputs-dir", dataset,
          "--output-dir", outDir, "--device", "opencl");
      assertEquals(0, r.getExitCode(), model + ": " + r.getStdout() + r.getStderr());
      Path local = Files.createTempDirectory("pocl-it-" + model);
      Path host = Files.createTempDirectory("pocl-host-" + model);
      runOnHost(model, host);
      Path expectedDir = testdata.resolve("models").resolve(model).resolve("test_data_set_0");
      try (Stream<Path> s = Files.list(expectedDir)) {
        for (Path exp : s.filter(p -> p.getFileName().toString().startsWith("output_")).sorted().collect(Collectors.toList())) {
          String file = exp.getFileName().toString();
          Path got = local.resolve(file);
          container.copyFileFromContainer(outDir + "/" + file, got.toString());
          TensorData g = OnnxTensors.read(got).data();
          TensorData e = OnnxTensors.read(exp).data();
          assertClose(model + "/" + file, e, g);
          TensorData h = OnnxTensors.read(host.resolve(file)).data();
          long ulp = maxUlp(g, h);
          report.append(String.format("%-18s %-12s max ULP container vs host POCL: %d%n", model, file, ulp));
          if (sameDriver) {
            assertEquals(0, ulp, model + "/" + file + ": container and host run the same POCL, results must be identical");
          }
        }
      }
    }
    System.out.println("[PoclContainerIT] reproducibility (same driver version: " + sameDriver + ")\n" + report);
  }

  private boolean sameDriverVersion() throws Exception {
    ExecResult r = offloadcl("devices");
    Process p = new ProcessBuilder("java", "-jar", jar.toString(), "devices").redirectErrorStream(true).start();
    String hostOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(2, TimeUnit.MINUTES);
    return driverLines(hostOut).equals(driverLines(r.getStdout())) && !driverLines(hostOut).isEmpty();
  }

  private static List<String> driverLines(String devicesOutput) {
    return devicesOutput.lines().filter(l -> l.toLowerCase().contains("driver")).map(String::trim).collect(Collectors.toList());
  }

  private void runOnHost(String model, Path outDir) throws Exception {
    Path m = testdata.resolve("models").resolve(model);
    Files.deleteIfExists(outDir);
    Process p = new ProcessBuilder("java", "-jar", jar.toString(), "run", m.resolve("model.onnx").toString(),
        "--inputs-dir", m.resolve("test_data_set_0").toString(), "--output-dir", outDir.toString(), "--device", "opencl")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "host run of " + model + " timed out");
    assertEquals(0, p.exitValue(), "host run of " + model + ": " + out);
  }

  static void assertClose(String what, TensorData expected, TensorData actual) {
    assertEquals(expected.dtype(), actual.dtype(), what + " dtype");
    assertEquals(java.util.Arrays.toString(expected.dims()), java.util.Arrays.toString(actual.dims()), what + " shape");
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      if (Math.abs(a - e) > 1e-5 + 1e-3 * Math.abs(e)) {
        fail(what + "[" + i + "]: expected " + e + ", got " + a + " (rtol 1e-3, atol 1e-5)");
      }
    }
  }

  /** Largest distance in units in the last place between two float tensors of the same shape. */
  static long maxUlp(TensorData a, TensorData b) {
    assertEquals(a.size(), b.size());
    long max = 0;
    for (int i = 0; i < a.size(); i++) {
      long d = Math.abs(ordered((float) a.getDouble(i)) - ordered((float) b.getDouble(i)));
      max = Math.max(max, d);
    }
    return max;
  }

  private static long ordered(float f) {
    int bits = Float.floatToIntBits(f);
    return bits < 0 ? (long) Integer.MIN_VALUE - bits : bits;
  }

  private static String tail(String s) {
    String[] lines = s.split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 20), lines.length));
  }
}
