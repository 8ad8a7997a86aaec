package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk entry format (CRC-32C payload checksum) and what makes a cached binary a miss. */
class ProgramCacheEntryTest {
  private static final String KEY = "ab".repeat(32);

  private static byte[] entry(String magic, String key, String sumName, String sum, byte[] payload) {
    byte[] h = (magic + "\nkey=" + key + "\nlength=" + payload.length + "\n" + sumName + "=" + sum + "\n\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(h, h.length + payload.length);
    System.arraycopy(payload, 0, all, h.length, payload.length);
    return all;
  }

  @Test
  void wellFormedEntriesParseAndDamagedOnesAreRefused() {
    byte[] payload = new byte[5000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31 + 7);
    }
    String sum = ProgramCache.crc32c(payload);
    byte[] good = entry("OFFLOADCL-PROGRAM 2", KEY, "crc32c", sum, payload);
    assertArrayEquals(payload, ProgramCache.parseEntry(good, KEY));
    // another key (other source, options or device): refused
    assertNull(ProgramCache.parseEntry(good, "cd".repeat(32)));
    // one flipped payload byte
    byte[] flipped = good.clone();
    flipped[flipped.length - 100] ^= 0x10;
    assertNull(ProgramCache.parseEntry(flipped, KEY));
    // torn write: payload shorter than the header says
    assertNull(ProgramCache.parseEntry(Arrays.copyOf(good, good.length - 1), KEY));
    // the previous format (sha256 payload checksum) is not read as this one
    assertNull(ProgramCache.parseEntry(entry("OFFLOADCL-PROGRAM 1", KEY, "sha256",
        ProgramCache.sha256Hex(payload), payload), KEY));
    assertNull(ProgramCache.parseEntry(entry("OFFLOADCL-PROGRAM 2", KEY, "sha256", sum, payload), KEY));
  }

  @Test
  @Tag("opencl")
  void anEntryOfThePreviousFormatIsRebuiltAndStoredAnew(@TempDir Path dir) throws Exception {
    String src = "__kernel void k(__global float* a) { a[get_global_id(0)] += 1.0f; }\n// " + System.nanoTime();
    try (ClContext ctx = ClContext.open(OpenClTestSupport.requireDevice())) {
      String key;
      byte[] binary;
      try (ProgramCache c1 = new ProgramCache(ctx, dir)) {
        c1.get(src, "");
        key = c1.key(src, "");
        binary = ProgramCache.parseEntry(Files.readAllBytes(c1.entryPath(key)), key);
        assertTrue(binary != null && binary.length > 0);
        // the key covers source, options and device: a changed source or options is another entry
        assertFalse(key.equals(c1.key(src + " ", "")));
        assertFalse(key.equals(c1.key(src, "-cl-fast-relaxed-math")));
      }
      Files.write(dir.resolve(key + ".clbin"), entry("OFFLOADCL-PROGRAM 1", key, "sha256",
          ProgramCache.sha256Hex(binary), binary));
      try (ProgramCache c2 = new ProgramCache(ctx, dir)) {
        assertFalse(c2.get(src, "").fromBinary());
        assertEquals(1, c2.rejectedEntries());
      }
      try (ProgramCache c3 = new ProgramCache(ctx, dir)) {
        assertTrue(c3.get(src, "").fromBinary());
        assertEquals(0, c3.sourceBuilds());
      }
    }
  }

  @Test
  @Tag("opencl")
  void programsForADeviceWithHardwareFmaAreBuiltWithOffloadclFma() {
    // A kernel that fails to build unless OFFLOADCL_FMA is defined exactly when the device reports hardware fma.
    try (ClContext ctx = ClContext.open(OpenClTestSupport.requireDevice());
        ProgramCache cache = new ProgramCache(ctx, null)) {
      boolean fma = ctx.device().hardwareFma();
      assertEquals(fma, cache.withDeviceOptions("").contains("-DOFFLOADCL_FMA"));
      assertTrue(cache.withDeviceOptions("-cl-mad-enable").startsWith("-cl-mad-enable"));
      String src = (fma ? "#ifndef OFFLOADCL_FMA\n#error expected OFFLOADCL_FMA\n#endif\n"
          : "#ifdef OFFLOADCL_FMA\n#error unexpected OFFLOADCL_FMA\n#endif\n")
          + "__kernel void k(__global float* a) { a[0] = OFFLOADCL_PROBE; }\n";
      assertTrue(cache.get(src.replace("OFFLOADCL_PROBE", "1.0f"), "") != null);
    }
  }

  @Test
  @Tag("opencl")
  void aBinaryBuiltWithoutTheDeviceOptionsIsNotReused(@TempDir Path dir) throws Exception {
    String src = "__kernel void k(__global float* a) { a[get_global_id(0)] *= 2.0f; }\n// " + System.nanoTime();
    try (ClContext ctx = ClContext.open(OpenClTestSupport.requireDevice())) {
      try (ProgramCache c1 = new ProgramCache(ctx, dir)) {
        c1.get(src, "");
        assertEquals(1, c1.sourceBuilds());
        String used = c1.key(src, "");
        assertTrue(Files.exists(c1.entryPath(used)), "the entry is stored under the options it was built with");
        if (ctx.device().hardwareFma()) {
          // an entry under the bare options (what an older build without -DOFFLOADCL_FMA wrote) is another key
          assertFalse(used.equals(c1.keyOfBuild(src, "")));
        }
      }
      try (ProgramCache c2 = new ProgramCache(ctx, dir)) {
        assertTrue(c2.get(src, "").fromBinary());
        assertEquals(0, c2.sourceBuilds());
      }
    }
  }
}
