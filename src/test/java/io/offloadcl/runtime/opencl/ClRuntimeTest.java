package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.DeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("opencl")
class ClRuntimeTest {
  private static final String ADD = "__kernel void add(__global const float* a, __global const float* b,"
      + " __global float* c) { int i = get_global_id(0); c[i] = a[i] + b[i]; }\n"
      + "__kernel void twice(__global const float* a, __global float* c) {"
      + " int i = get_global_id(0); c[i] = 2.0f * a[i]; }\n";

  @Test
  void discoveryDescribesEveryDevice() {
    ClDevice d = OpenClTestSupport.requireDevice();
    assertFalse(d.name().isEmpty());
    assertFalse(d.platformName().isEmpty());
    assertTrue(d.computeUnits() > 0);
    assertTrue(d.globalMemBytes() > 0);
    assertTrue(d.openClCVersion().startsWith("OpenCL C"), d.openClCVersion());
    assertFalse(d.driverVersion().isEmpty());
    assertNotNull(d.type());
    for (ClDevice each : OpenClPlatforms.devices()) {
      System.out.println(each);
      assertEquals(each, OpenClPlatforms.device(each.index()));
    }
    DeviceException e = assertThrows(DeviceException.class, () -> OpenClPlatforms.device(999));
    assertTrue(e.getMessage().contains("999"), e.getMessage());
  }

  @Test
  void eventOrderedLaunchesAndOneSyncAtTheEnd() {
    ClDevice d = OpenClTestSupport.requireDevice();
    Map<ClResources.Kind, Long> before = ClResources.snapshot();
    int n = 1000;
    float[] a = new float[n];
    float[] b = new float[n];
    float[] want = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
      b[i] = 0.5f * i;
      want[i] = 2 * (a[i] + b[i]);
    }
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null);
        ClBuffer ba = ctx.buffer(4L * n); ClBuffer bb = ctx.buffer(4L * n); ClBuffer bc = ctx.buffer(4L * n);
        ClBuffer bd = ctx.buffer(4L * n)) {
      ClProgram p = cache.get(ADD, "");
      try (ClKernel add = p.kernel("add"); ClKernel twice = p.kernel("twice")) {
        ByteBuffer ha = floats(a);
        ByteBuffer hb = floats(b);
        ByteBuffer out = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
        try (ClEvent wa = ctx.write(ba, ha, null); ClEvent wb = ctx.write(bb, hb, null)) {
          add.setArg(0, ba);
          add.setArg(1, bb);
          add.setArg(2, bc);
          try (ClEvent e1 = ctx.launch(add, new long[] {n}, null, List.of(wa, wb))) {
            twice.setArg(0, bc);
            twice.setArg(1, bd);
            try (ClEvent e2 = ctx.launch(twice, new long[] {n}, null, List.of(e1));
                ClEvent r = ctx.read(bd, out, List.of(e2))) {
              ClEvent.waitAll(List.of(r));
            }
          }
        }
        float[] got = new float[n];
        out.asFloatBuffer().get(got);
        assertArrayEquals(want, got, 0f);
      }
      DeviceException e = assertThrows(DeviceException.class, () -> p.kernel("nope"));
      assertTrue(e.getMessage().contains("CL_INVALID_KERNEL_NAME"), e.getMessage());
    }
    assertEquals(before, ClResources.snapshot(), "every native object released");
  }

  @Test
  void secondCacheLoadsTheBinaryAndCorruptEntriesAreRebuilt(@TempDir Path dir) throws Exception {
    ClDevice d = OpenClTestSupport.requireDevice();
    String src = ADD + "// cache test " + System.nanoTime() + "\n";
    try (ClContext ctx = ClContext.open(d)) {
      String key;
      try (ProgramCache c1 = new ProgramCache(ctx, dir)) {
        long t0 = System.nanoTime();
        c1.get(src, "");
        long cold = System.nanoTime() - t0;
        c1.get(src, "");
        assertEquals(1, c1.sourceBuilds());
        assertEquals(1, c1.memoryHits());
        key = c1.key(src, "");
        assertTrue(Files.isRegularFile(c1.entryPath(key)));
        try (ProgramCache c2 = new ProgramCache(ctx, dir)) {
          long t1 = System.nanoTime();
          ClProgram p = c2.get(src, "");
          long warm = System.nanoTime() - t1;
          assertTrue(p.fromBinary());
          assertEquals(0, c2.sourceBuilds());
          assertEquals(1, c2.binaryLoads());
          System.out.printf("program cache: cold build %.1f ms, warm load %.1f ms%n", cold / 1e6, warm / 1e6);
          p.kernel("add").close();
        }
        // Different options are a different key: never served the other binary.
        try (ProgramCache c3 = new ProgramCache(ctx, dir)) {
          c3.get(src, "-cl-mad-enable");
          assertEquals(1, c3.sourceBuilds());
        }
      }
      Path entry = dir.resolve(key + ".clbin");
      byte[] bytes = Files.readAllBytes(entry);
      bytes[bytes.length - 10] ^= 0x5a;
      Files.write(entry, bytes);
      try (ProgramCache c4 = new ProgramCache(ctx, dir)) {
        ClProgram p = c4.get(src, "");
        assertFalse(p.fromBinary());
        assertEquals(1, c4.rejectedEntries());
        assertEquals(1, c4.sourceBuilds());
      }
      // A foreign entry (valid file under another key's name) is rejected too.
      String other = ADD + "// other " + System.nanoTime() + "\n";
      try (ProgramCache c5 = new ProgramCache(ctx, dir)) {
        Files.copy(entry, c5.entryPath(c5.key(other, "")));
        assertFalse(c5.get(other, "").fromBinary());
        assertEquals(1, c5.rejectedEntries());
      }
      try (ProgramCache c6 = new ProgramCache(ctx, dir)) {
        assertTrue(c6.get(src, "").fromBinary(), "the rebuilt entry was stored again");
      }
    }
  }

  @Test
  void buildFailureCarriesLogAndDumpedSource(@TempDir Path dir) throws Exception {
    ClDevice d = OpenClTestSupport.requireDevice();
    String bad = "__kernel void broken(__global float* a) { a[0] = undefined_symbol; }\n";
    try (ClContext ctx = ClContext.open(d); ProgramCache c = new ProgramCache(ctx, dir)) {
      KernelBuildException e = assertThrows(KernelBuildException.class, () -> c.get(bad, ""));
      assertTrue(e.buildLog().contains("undefined_symbol"), e.buildLog());
      assertNotNull(e.dumpedSource());
      assertEquals(bad, Files.readString(e.dumpedSource()));
      assertTrue(e.getMessage().contains("CL_BUILD_PROGRAM_FAILURE"), e.getMessage());
    }
  }

  private static ByteBuffer floats(float[] v) {
    ByteBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.nativeOrder());
    b.asFloatBuffer().put(v);
    return b;
  }
}
