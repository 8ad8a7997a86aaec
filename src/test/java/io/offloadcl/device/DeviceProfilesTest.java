package io.offloadcl.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.ProfileException;
import io.offloadcl.ops.FusionKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceProfilesTest {
  private static final String GOOD = String.join("\n",
      "name: Test GPU",
      "kind: gpu",
      "match:",
      "  platform: NVIDIA",
      "  device: H100",
      "peak-gflops-fp32: 1000",
      "peak-gops-int8: 4000",
      "memory-bandwidth-gbs: 100",
      "memory-capacity-gb: 2",
      "host-link:",
      "  bandwidth-gbs: 10",
      "  latency-us: 5",
      "launch-overhead-us: 7",
      "supported-ops: all",
      "unsupported-ops: [Conv]",
      "efficiency:",
      "  out-elemwise-fusable: 0.5",
      "  default: 0.25",
      "");

  @Test
  void theSpecificPoclProfileWinsOverTheGeneralOneAndTheirFiguresCompare() {
    String pocl = "Portable Computing Language";
    assertEquals("pocl-cpu-basic", DeviceProfiles.bundledFor(pocl, "basic-skylake-avx512-AMD EPYC", "CPU").id());
    assertEquals("pocl-cpu", DeviceProfiles.bundledFor(pocl, "pthread-skylake-avx512-AMD EPYC", "CPU").id());
    assertNull(DeviceProfiles.bundledFor("Some Vendor", "Mystery Device", "CPU"));
    // what the per-shape choice relies on: basic has the lower fixed cost, pthread the higher compute rate
    DeviceProfile basic = DeviceProfiles.bundled("pocl-cpu-basic");
    DeviceProfile pthread = DeviceProfiles.bundled("pocl-cpu");
    assertTrue(basic.linkLatencyUs() < pthread.linkLatencyUs() && basic.launchOverheadUs() < pthread.launchOverheadUs());
    assertTrue(basic.peakGflopsFp32() < pthread.peakGflopsFp32());
  }

  @Test
  void parsesEveryField() {
    DeviceProfile d = DeviceProfiles.parse(GOOD, "test-gpu", "test-gpu.yaml");
    assertEquals("test-gpu", d.id());
    assertEquals("Test GPU", d.name());
    assertEquals(DeviceKind.GPU, d.kind());
    assertTrue(d.match().matchesOpenCl("NVIDIA CUDA", "NVIDIA H100 80GB HBM3", "GPU"));
    assertFalse(d.match().matchesOpenCl("Portable Computing Language", "pthread-cpu", "CPU"));
    assertEquals(1000, d.peakGflopsFp32());
    assertEquals(4000, d.peakGopsInt8());
    assertEquals(100, d.memoryBandwidthGBs());
    assertEquals(2_000_000_000L, d.memoryCapacityBytes());
    assertEquals(10, d.linkBandwidthGBs());
    assertEquals(5, d.linkLatencyUs());
    assertFalse(d.hostResident());
    assertEquals(7, d.launchOverheadUs());
    assertNull(d.supportedOps());
    assertFalse(d.supports("Conv"));
    assertTrue(d.supports("MatMul"));
    assertEquals(0.5, d.efficiency(FusionKind.OUT_ELEMWISE_FUSABLE));
    assertEquals(0.25, d.efficiency(FusionKind.REDUCTION));
  }

  @Test
  void everyBundledProfileLoadsAndIsCited() throws Exception {
    List<String> ids = DeviceProfiles.bundledIds();
    assertTrue(ids.containsAll(List.of("pocl-cpu", "java-cpu", "nvidia-h100-opencl", "nvidia-rtx4070-opencl",
        "intel-iris-xe-opencl", "adreno-740-opencl", "matmul-npu")), ids.toString());
    for (DeviceProfile d : DeviceProfiles.allBundled()) {
      assertTrue(d.peakGflopsFp32() > 0, d.id());
    }
    // the index lists exactly the YAML files in the folder, and every number sits under a comment
    Path dir = Path.of("device-profiles");
    Set<String> files;
    try (var s = Files.list(dir)) {
      files = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
          .map(f -> f.substring(0, f.length() - 5)).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(files, new TreeSet<>(ids));
    for (String id : ids) {
      List<String> lines = Files.readAllLines(dir.resolve(id + ".yaml"));
      assertTrue(lines.get(0).startsWith("#"), id + " opens with its source");
      for (String key : List.of("peak-gflops-fp32", "memory-bandwidth-gbs", "launch-overhead-us")) {
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
          if (lines.get(i).startsWith(key + ":")) {
            at = i;
          }
        }
        assertTrue(at > 0 && lines.get(at - 1).startsWith("#"), id + ": " + key + " has no citation comment above it");
      }
    }
    DeviceProfile npu = DeviceProfiles.bundled("matmul-npu");
    assertFalse(npu.supports("Conv"));
    assertTrue(npu.supports("MatMul"));
    assertTrue(DeviceProfiles.bundled("java-cpu").match().isJavaCpu());
    assertTrue(DeviceProfiles.bundled("java-cpu").hostResident());
  }

  @Test
  void resolvesFilesAndIds(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("mine.yaml");
    Files.writeString(f, GOOD);
    assertEquals("mine", DeviceProfiles.resolve(f.toString()).id());
    assertEquals("pocl-cpu", DeviceProfiles.resolve("pocl-cpu").id());
    ProfileException e = assertThrows(ProfileException.class, () -> DeviceProfiles.resolve("no-such-device"));
    assertTrue(e.getMessage().contains("no bundled device profile 'no-such-device'"), e.getMessage());
    assertEquals(1, DeviceProfiles.loadDirectory(tmp).size());
  }

  private static void assertRejected(String text, String... expectedParts) {
    ProfileException e = assertThrows(ProfileException.class, () -> DeviceProfiles.parse(text, "bad", "bad.yaml"));
    for (String part : expectedParts) {
      assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' lacks '" + part + "'");
    }
  }

  @Test
  void missingFieldNamesFileLineAndField() {
    assertRejected(GOOD.replace("memory-bandwidth-gbs: 100\n", ""), "bad.yaml:1:", "'memory-bandwidth-gbs'", "missing");
    assertRejected(GOOD.replace("  latency-us: 5\n", ""), "bad.yaml:11:", "'host-link.latency-us'", "missing");
  }

  @Test
  void negativeOrNonNumericNumbersAreRejected() {
    assertRejected(GOOD.replace("peak-gflops-fp32: 1000", "peak-gflops-fp32: -3"), "bad.yaml:6:",
        "'peak-gflops-fp32'", "positive", "-3");
    assertRejected(GOOD.replace("launch-overhead-us: 7", "launch-overhead-us: -1"), "bad.yaml:13:",
        "'launch-overhead-us'", ">= 0");
    assertRejected(GOOD.replace("peak-gflops-fp32: 1000", "peak-gflops-fp32: fast"), "bad.yaml:6:", "'fast'");
    assertRejected(GOOD.replace("  default: 0.25", "  default: 1.5"), "bad.yaml:18:", "'efficiency.default'", "(0, 1]");
  }

  @Test
  void unknownOpsKeysAndValuesAreRejected() {
    assertRejected(GOOD.replace("unsupported-ops: [Conv]", "unsupported-ops: [Conv, Cnov]"), "bad.yaml:15:",
        "'unsupported-ops'", "unknown op 'Cnov'");
    assertRejected(GOOD.replace("kind: gpu", "kind: gpu\ncolour: green"), "bad.yaml:3:", "unknown field 'colour'");
    assertRejected(GOOD.replace("  device: H100", "  device: H100\n  vendor: x"), "bad.yaml:6:", "'match.vendor'");
    assertRejected(GOOD.replace("kind: gpu", "kind: fpga"), "bad.yaml:2:", "'kind'", "'fpga'");
    assertRejected(GOOD.replace("  default: 0.25\n", ""), "'efficiency.elemwise' is missing");
    assertRejected(GOOD.replace("kind: gpu", "kind: gpu\nkind: cpu"), "bad.yaml:3:", "given twice");
    assertRejected("- a\n- b\n", "bad.yaml:1:", "must be a mapping");
    assertRejected("name: [unclosed\n", "bad.yaml:", "not valid YAML");
    assertRejected("", "empty file");
  }

  @Test
  void badFileOnDiskIsNamedInTheError(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("broken.yaml");
    Files.writeString(f, GOOD.replace("memory-capacity-gb: 2", "memory-capacity-gb: 0"));
    ProfileException e = assertThrows(ProfileException.class, () -> DeviceProfiles.load(f));
    assertTrue(e.getMessage().startsWith(f + ":9:") && e.getMessage().contains("'memory-capacity-gb'"), e.getMessage());
  }
}
