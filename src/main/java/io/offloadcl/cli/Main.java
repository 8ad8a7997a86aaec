package io.offloadcl.cli;

import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.Settings;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code offloadcl} command. Exit codes: 0 success, 1 conformance failures, 2 a usage error or any
 * {@link OffloadException} or I/O failure (printed as one line {@code error: <message>} on stderr), 3 an internal
 * error (a bug).
 * Stack traces are printed only with {@code --verbose}. This is the only class that calls {@link System#exit}.
 */
@Command(name = "offloadcl", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
    description = "Runs ONNX models on OpenCL devices (GPUs, POCL) or on the plain-Java reference executor.",
    subcommands = {RunCommand.class, DemoCommand.class, InfoCommand.class, DevicesCommand.class,
        ConformanceCommand.class, OptimizeCommand.class, PlaceCommand.class, ExperimentCommand.class,
        CalibrateCommand.class, QuantizeCommand.class, BenchCommand.class, VersionCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Exit code for a usage error or a typed OffloadCL error. */
  static final int EXIT_ERROR = 2;
  /** Exit code for an unexpected exception: a bug in OffloadCL. */
  static final int EXIT_INTERNAL = 3;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "More output, and stack traces on errors.")
  boolean verbose = Settings.verbose();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = execute(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the command line with the given streams and returns the exit code (for tests and embedding). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err).execute(args);
  }

  /** The configured picocli command line, writing to the given streams. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    Main main = new Main();
    CommandLine cl = new CommandLine(main);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter e = commandLine.getErr();
      int code;
      if (ex instanceof OffloadException) {
        e.println("error: " + oneLine(ex.getMessage()));
        code = EXIT_ERROR;
      } else if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
        // a folder that cannot be created or written: the user's environment, not a bug
        Throwable io = ex instanceof java.io.UncheckedIOException ? ex.getCause() : ex;
        e.println("error: cannot read or write " + oneLine(io.getMessage()) + " (" + io.getClass().getSimpleName() + ")");
        code = EXIT_ERROR;
      } else if (ex instanceof IllegalArgumentException) {
        // option values the API rejects (negative --repeat, unknown device): a usage error
        e.println("error: " + oneLine(ex.getMessage()));
        code = EXIT_ERROR;
      } else {
        e.println("error: internal error: " + oneLine(String.valueOf(ex)));
        code = EXIT_INTERNAL;
      }
      if (main.verbose) {
        ex.printStackTrace(e);
      } else if (code == EXIT_INTERNAL) {
        e.println("(run with --verbose for the stack trace)");
      }
      e.flush();
      return code;
    });
    return cl;
  }

  static String oneLine(String s) {
    return s == null ? "(no message)" : s.replace('\n', ' ').replace('\r', ' ');
  }
}
