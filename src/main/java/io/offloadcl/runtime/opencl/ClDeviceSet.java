package io.offloadcl.runtime.opencl;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.DeviceException;
import io.offloadcl.ir.Graph;
import io.offloadcl.placement.Placement;
import io.offloadcl.placement.PlacementException;
import io.offloadcl.placement.Placer;
import io.offloadcl.placement.SingleDeviceStrategy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenCL devices one model may run on, and which of them runs a given (static) graph.
 *
 * <p>With one device there is nothing to choose. With several, each described by a device profile, the choice
 * is the placer's {@code fastest-single} strategy: every op on the device whose simulated run, host transfers
 * included, is shortest. It is made per specialization, so one dynamic model can run batch 1 on POCL's
 * single-threaded basic device (a run costs ~24 us there against ~90 us of thread wake-ups on the pthread device)
 * and batch 64 on the pthread device (twice the compute). Contexts and program caches are opened on first use and
 * belong to the set, except the ones handed to {@link #of}.
 */
public final class ClDeviceSet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClDeviceSet.class);

  private final List<ClDevice> devices;
  private final List<DeviceProfile> profiles;
  private final Path cacheDir;
  private final ClContext[] contexts;
  private final ProgramCache[] caches;
  private final boolean[] owned;
  private boolean closed;

  private ClDeviceSet(List<ClDevice> devices, List<DeviceProfile> profiles, Path cacheDir) {
    this.devices = List.copyOf(devices);
    this.profiles = profiles == null ? null : DeviceProfiles.distinctIds(profiles);
    this.cacheDir = cacheDir;
    this.contexts = new ClContext[devices.size()];
    this.caches = new ProgramCache[devices.size()];
    this.owned = new boolean[devices.size()];
  }

  /** One device whose context and cache the caller opened and closes. */
  public static ClDeviceSet of(ClContext ctx, ProgramCache cache) {
    ClDeviceSet s = new ClDeviceSet(List.of(ctx.device()), null, null);
    s.contexts[0] = ctx;
    s.caches[0] = cache;
    return s;
  }

  /**
   * Devices to choose among, each with the profile that describes it (null only for a lone device); the first is
   * the one a tie goes to.
   *
   * @param first an open context on {@code devices.get(0)} that the set takes over, or null
   * @param cacheDir where compiled programs are cached (null: memory only)
   */
  public static ClDeviceSet choosing(List<ClDevice> devices, List<DeviceProfile> profiles, ClContext first,
      Path cacheDir) {
    if (devices.isEmpty() || devices.size() != profiles.size()) {
      throw new IllegalArgumentException("need one profile per device, got " + devices + " and " + profiles);
    }
    boolean unprofiled = profiles.stream().anyMatch(java.util.Objects::isNull);
    if (unprofiled && devices.size() > 1) {
      throw new IllegalArgumentException("a device without a profile cannot be weighed against others: " + devices);
    }
    // a lone device without a profile (a GPU no bundled YAML describes) takes its kernel family from its type
    ClDeviceSet s = new ClDeviceSet(devices, unprofiled ? null : profiles, cacheDir);
    if (first != null) {
      s.contexts[0] = first;
      s.owned[0] = true;
    }
    return s;
  }

  public int size() {
    return devices.size();
  }

  public ClDevice device(int i) {
    return devices.get(i);
  }

  /** The kernel family for device i: from its profile's kind when it has one, else from the OpenCL type. */
  public DeviceClass deviceClass(int i) {
    if (profiles != null) {
      return profiles.get(i).kind() == DeviceKind.GPU ? DeviceClass.GPU : DeviceClass.CPU;
    }
    return OpenClExecutor.deviceClassOf(devices.get(i));
  }

  /**
   * The device that runs {@code staticGraph}: 0 when there is one device, else the {@code fastest-single}
   * placement's device. A graph the placer cannot cost (it raises a placement error, e.g. for more memory than a
   * profile states) goes to the first device, with a log line.
   */
  public int choose(Graph staticGraph) {
    if (devices.size() == 1 || staticGraph.nodes().isEmpty()) {
      return 0;
    }
    long t0 = System.nanoTime();
    try {
      Placement p = Placer.place(staticGraph, profiles, SingleDeviceStrategy.FASTEST, Map.of());
      DeviceProfile chosen = p.deviceOf(staticGraph.nodes().get(0));
      int i = profiles.indexOf(chosen);
      LOG.debug("graph '{}' runs on {}: {} (chosen in {} us)", staticGraph.name(), devices.get(i).name(),
          p.explain(staticGraph.nodes().get(0).name()).reason(), (System.nanoTime() - t0) / 1000);
      return Math.max(0, i);
    } catch (PlacementException e) {
      LOG.info("graph '{}': no device choice ({}); running on {}", staticGraph.name(), e.getMessage(),
          devices.get(0).name());
      return 0;
    }
  }

  /** Device i's context, opened on first use. */
  public synchronized ClContext context(int i) {
    checkOpen();
    if (contexts[i] == null) {
      contexts[i] = ClContext.open(devices.get(i));
      owned[i] = true;
    }
    return contexts[i];
  }

  /** Device i's program cache, made on first use. */
  public synchronized ProgramCache cache(int i) {
    checkOpen();
    if (caches[i] == null) {
      caches[i] = new ProgramCache(context(i), cacheDir);
    }
    return caches[i];
  }

  /** Program cache counters summed over the devices used so far: {source builds, binary loads}. */
  public synchronized int[] cacheCounts() {
    int[] r = new int[2];
    for (ProgramCache c : caches) {
      if (c != null) {
        r[0] += c.sourceBuilds();
        r[1] += c.binaryLoads();
      }
    }
    return r;
  }

  private void checkOpen() {
    if (closed) {
      throw new DeviceException("OpenCL device set " + devices + " is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      if (!owned[i]) {
        continue; // handed in by the caller, who closes them
      }
      try {
        if (caches[i] != null) {
          caches[i].close();
        }
      } catch (RuntimeException e) {
        failures.add(e);
      }
      try {
        if (contexts[i] != null) {
          contexts[i].close();
        }
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }
}
