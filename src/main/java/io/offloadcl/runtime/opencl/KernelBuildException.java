package io.offloadcl.runtime.opencl;

import io.offloadcl.ir.DeviceException;
import java.nio.file.Path;

/**
 * An OpenCL program failed to compile. Carries the compiler's build log and where the offending source was
 * written, so the failure can be reproduced outside OffloadCL.
 */
public class KernelBuildException extends DeviceException {
  private static final long serialVersionUID = 1L;
  private final String buildLog;
  private final transient Path dumpedSource;

  public KernelBuildException(String message, String buildLog, Path dumpedSource) {
    super(message + (dumpedSource == null ? "" : "; source dumped to " + dumpedSource)
        + (buildLog == null || buildLog.isBlank() ? "" : "\nbuild log:\n" + buildLog));
    this.buildLog = buildLog == null ? "" : buildLog;
    this.dumpedSource = dumpedSource;
  }

  public String buildLog() {
    return buildLog;
  }

  /** Where the source that failed was written; null if it could not be written. */
  public Path dumpedSource() {
    return dumpedSource;
  }
}
