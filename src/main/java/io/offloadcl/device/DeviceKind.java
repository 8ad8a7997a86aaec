package io.offloadcl.device;

import java.util.Locale;

/** What sort of device a profile describes; strategies such as {@code cpu-only} pick devices by kind. */
public enum DeviceKind {
  CPU,
  GPU,
  ACCELERATOR;

  /** The lower-case word used in profile files. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
