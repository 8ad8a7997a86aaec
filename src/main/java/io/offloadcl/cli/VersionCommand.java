package io.offloadcl.cli;

import io.offloadcl.api.Devices;
import io.offloadcl.api.InferenceSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code offloadcl version}: the OffloadCL and Java versions. */
@Command(name = "version", description = "Print the OffloadCL and Java versions and the devices found.")
final class VersionCommand implements Callable<Integer> {
  static final String DEV_VERSION = "0.1.0-SNAPSHOT";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The jar manifest's version when run from the jar, else the development version. */
  static String version() {
    String v = InferenceSession.class.getPackage().getImplementationVersion();
    return v == null ? DEV_VERSION : v;
  }

  static String[] lines() {
    List<String> l = new ArrayList<>(List.of("offloadcl " + version(), "java " + Runtime.version(), "devices:"));
    for (String d : Devices.describe()) {
      l.add("  " + d);
    }
    return l.toArray(new String[0]);
  }

  @Override
  public Integer call() {
    for (String l : lines()) {
      spec.commandLine().getOut().println(l);
    }
    return 0;
  }

  /** Feeds {@code --version}. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return lines();
    }
  }
}
