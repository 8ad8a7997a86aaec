package io.offloadcl.cli;

import io.offloadcl.api.SessionOptions;
import picocli.CommandLine;

/** Parses {@code --device} so that an unknown name is a usage error (exit 2) before anything runs. */
final class DeviceConverter implements CommandLine.ITypeConverter<SessionOptions.Device> {
  @Override
  public SessionOptions.Device convert(String value) {
    try {
      return SessionOptions.Device.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
