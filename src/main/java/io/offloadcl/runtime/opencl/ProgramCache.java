package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DeviceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_program;

/**
 * Built programs of one context, kept in memory and as device binaries on disk.
 *
 * <p>The key is sha256 over (format version, source hash, build options, device name, driver version), so a
 * driver update or another device never reuses a binary. A disk entry is a short text header (magic, key,
 * payload length, payload CRC-32C) followed by the binary; an entry whose header, key or checksum does not
 * match, or that the driver refuses, is deleted and rebuilt from source: a cached file is never trusted. The
 * payload checksum guards against torn and corrupted files (the directory is the user's own): CRC-32C rather
 * than sha256 because it runs as a JIT intrinsic from the first call, where sha256 over a program binary of a
 * few MB costs a fresh JVM hundreds of milliseconds at every session open.
 * Writes go to a temporary file moved into place, so a concurrent reader sees a whole entry or none.
 */
public final class ProgramCache implements AutoCloseable {
  private static final String MAGIC = "OFFLOADCL-PROGRAM 2";
  private static final String FORMAT = "v1";

  private final ClContext ctx;
  private final Path dir;
  private final Map<String, ClProgram> memory = new HashMap<>();
  private final AtomicInteger sourceBuilds = new AtomicInteger();
  private final AtomicInteger binaryLoads = new AtomicInteger();
  private final AtomicInteger memoryHits = new AtomicInteger();
  private final AtomicInteger rejected = new AtomicInteger();

  /**
   * @param dir where binaries live (created on demand); null keeps the cache in memory only
   */
  public ProgramCache(ClContext ctx, Path dir) {
    this.ctx = ctx;
    this.dir = dir;
  }

  /**
   * The default disk location under a user's home, {@code ~/.cache/offloadcl/programs}. The home comes from
   * the caller (the one settings place reads properties and environment), not from here.
   */
  public static Path defaultDirectory(Path userHome) {
    return userHome.resolve(".cache").resolve("offloadcl").resolve("programs");
  }

  public Path directory() {
    return dir;
  }

  /** Programs compiled from source by this cache object. */
  public int sourceBuilds() {
    return sourceBuilds.get();
  }

  /** Programs loaded from a disk binary by this cache object. */
  public int binaryLoads() {
    return binaryLoads.get();
  }

  public int memoryHits() {
    return memoryHits.get();
  }

  /** Disk entries found corrupt or foreign and deleted. */
  public int rejectedEntries() {
    return rejected.get();
  }

  /**
   * The cache key of a program built from {@code source} with the caller's {@code options}: hex sha256 over
   * everything that makes a binary valid, the options this device adds ({@link #withDeviceOptions}) included.
   */
  public String key(String source, String options) {
    return keyOfBuild(source, withDeviceOptions(options));
  }

  /** The key over exactly these build options (what {@link #key} hashes once the device's are added). */
  String keyOfBuild(String source, String options) {
    ClDevice d = ctx.device();
    return sha256Hex((FORMAT + "\n" + sha256Hex(source.getBytes(StandardCharsets.UTF_8)) + "\n" + options + "\n"
        + d.name() + "\n" + d.driverVersion() + "\n" + d.platformName()).getBytes(StandardCharsets.UTF_8));
  }

  /** Where the entry for a key lives on disk (null for a memory-only cache). */
  public Path entryPath(String key) {
    return dir == null ? null : dir.resolve(key + ".clbin");
  }

  /** The caller's build options plus what every program for this device is built with (see ClDevice#hardwareFma). */
  String withDeviceOptions(String options) {
    String base = options == null ? "" : options.trim();
    if (!ctx.device().hardwareFma()) {
      return base;
    }
    return base.isEmpty() ? "-DOFFLOADCL_FMA" : base + " -DOFFLOADCL_FMA";
  }

  /**
   * The program for this source and options: from memory, else from a verified disk binary, else compiled.
   * The cache owns the returned program; callers do not close it.
   *
   * @throws KernelBuildException with the build log and the dumped source when compilation fails
   */
  public synchronized ClProgram get(String source, String requestedOptions) {
    // The key covers the options the device adds too: a binary built without -DOFFLOADCL_FMA (an older OffloadCL
    // on the same driver) is another program.
    String options = withDeviceOptions(requestedOptions);
    String key = keyOfBuild(source, options);
    ClProgram p = memory.get(key);
    if (p != null) {
      memoryHits.incrementAndGet();
      return p;
    }
    p = loadFromDisk(key, options);
    if (p == null) {
      p = buildFromSource(key, source, options);
      sourceBuilds.incrementAndGet();
      store(key, p);
    } else {
      binaryLoads.incrementAndGet();
    }
    memory.put(key, p);
    return p;
  }

  private ClProgram loadFromDisk(String key, String options) {
    Path f = entryPath(key);
    if (f == null || !Files.isRegularFile(f)) {
      return null;
    }
    byte[] binary;
    try {
      binary = parseEntry(Files.readAllBytes(f), key);
    } catch (IOException e) {
      binary = null;
    }
    if (binary == null) {
      reject(f);
      return null;
    }
    int[] status = new int[1];
    int[] err = new int[1];
    cl_program prog = CL.clCreateProgramWithBinary(ctx.context, 1, new cl_device_id[] {ctx.device().deviceId},
        new long[] {binary.length}, new byte[][] {binary}, status, err);
    if (err[0] != CL.CL_SUCCESS || status[0] != CL.CL_SUCCESS) {
      if (prog != null && err[0] == CL.CL_SUCCESS) {
        CL.clReleaseProgram(prog);
      }
      reject(f);
      return null;
    }
    ClProgram p = new ClProgram(prog, true);
    int st = CL.clBuildProgram(prog, 0, null, options, null, null);
    if (st != CL.CL_SUCCESS) {
      p.close();
      reject(f);
      return null;
    }
    return p;
  }

  /** The payload of a well-formed entry for {@code key}, or null. */
  static byte[] parseEntry(byte[] all, String key) {
    int end = -1;
    for (int i = 0; i + 1 < all.length && i < 4096; i++) {
      if (all[i] == '\n' && all[i + 1] == '\n') {
        end = i;
        break;
      }
    }
    if (end < 0) {
      return null;
    }
    String[] lines = new String(all, 0, end, StandardCharsets.US_ASCII).split("\n");
    if (lines.length != 4 || !lines[0].equals(MAGIC) || !lines[1].equals("key=" + key)
        || !lines[2].startsWith("length=") || !lines[3].startsWith("crc32c=")) {
      return null;
    }
    long len;
    try {
      len = Long.parseLong(lines[2].substring(7));
    } catch (NumberFormatException e) {
      return null;
    }
    int start = end + 2;
    if (len <= 0 || len != all.length - start) {
      return null;
    }
    byte[] payload = java.util.Arrays.copyOfRange(all, start, all.length);
    return crc32c(payload).equals(lines[3].substring(7)) ? payload : null;
  }

  private void reject(Path f) {
    rejected.incrementAndGet();
    try {
      Files.deleteIfExists(f);
    } catch (IOException e) {
      // an undeletable entry is rebuilt and overwritten on store; nothing else to do
    }
  }

  private ClProgram buildFromSource(String key, String source, String options) {
    int[] err = new int[1];
    cl_program prog = CL.clCreateProgramWithSource(ctx.context, 1, new String[] {source}, null, err);
    Cl.check(err[0], "clCreateProgramWithSource");
    ClProgram p = new ClProgram(prog, false);
    int st = CL.clBuildProgram(prog, 1, new cl_device_id[] {ctx.device().deviceId}, options, null, null);
    if (st != CL.CL_SUCCESS) {
      String log = buildLog(prog);
      p.close();
      Path dumped = dumpFailed(key, source);
      throw new KernelBuildException("OpenCL program build failed on " + ctx.device().name() + ": "
          + Cl.errorName(st) + " (options '" + options + "')", log, dumped);
    }
    return p;
  }

  private String buildLog(cl_program prog) {
    long[] size = new long[1];
    cl_device_id dev = ctx.device().deviceId;
    if (CL.clGetProgramBuildInfo(prog, dev, CL.CL_PROGRAM_BUILD_LOG, 0, null, size) != CL.CL_SUCCESS) {
      return "";
    }
    byte[] buf = new byte[(int) size[0]];
    CL.clGetProgramBuildInfo(prog, dev, CL.CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
    int n = 0;
    while (n < buf.length && buf[n] != 0) {
      n++;
    }
    return new String(buf, 0, n, StandardCharsets.UTF_8);
  }

  private Path dumpFailed(String key, String source) {
    try {
      Path d = dir != null ? dir.resolve("failed") : Files.createTempDirectory("offloadcl-failed");
      Files.createDirectories(d);
      Path f = d.resolve(key + ".cl");
      Files.writeString(f, source, StandardCharsets.UTF_8);
      return f;
    } catch (IOException e) {
      return null;
    }
  }

  private void store(String key, ClProgram p) {
    Path f = entryPath(key);
    if (f == null) {
      return;
    }
    byte[] bin = binary(p);
    if (bin == null || bin.length == 0) {
      return;
    }
    String header = MAGIC + "\nkey=" + key + "\nlength=" + bin.length + "\ncrc32c=" + crc32c(bin) + "\n\n";
    byte[] h = header.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + bin.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(bin, 0, all, h.length, bin.length);
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, key, ".tmp");
      Files.write(tmp, all);
      try {
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // a cache we cannot write only costs a rebuild next time
    }
  }

  private static byte[] binary(ClProgram p) {
    long[] sizes = new long[1];
    if (CL.clGetProgramInfo(p.program, CL.CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(sizes), null)
        != CL.CL_SUCCESS || sizes[0] <= 0) {
      return null;
    }
    byte[] bin = new byte[(int) sizes[0]];
    Pointer[] ptrs = {Pointer.to(bin)};
    if (CL.clGetProgramInfo(p.program, CL.CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(ptrs), null)
        != CL.CL_SUCCESS) {
      return null;
    }
    return bin;
  }

  static String crc32c(byte[] data) {
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(data);
    return Long.toHexString(c.getValue());
  }

  static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new DeviceException("SHA-256 unavailable: " + e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    for (ClProgram p : memory.values()) {
      p.close();
    }
    memory.clear();
  }
}
