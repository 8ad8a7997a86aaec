package io.offloadcl.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process and captures its exit code, stdout and stderr. */
final class CliRunner {
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private CliRunner() {}

  static Result run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code;
    try (PrintWriter out = new PrintWriter(o); PrintWriter err = new PrintWriter(e)) {
      code = Main.execute(out, err, args);
    }
    return new Result(code, o.toString(), e.toString());
  }
}
