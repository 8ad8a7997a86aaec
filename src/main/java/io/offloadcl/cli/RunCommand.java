package io.offloadcl.cli;

import io.offloadcl.api.InferenceSession;
import io.offloadcl.api.RunTimings;
import io.offloadcl.api.SessionOptions;
import io.offloadcl.api.Tensor;
import io.offloadcl.api.TensorFile;
import io.offloadcl.api.TensorInfo;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.ShapeMismatchException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offloadcl run MODEL --inputs-dir DIR --output-dir DIR}: runs a model on {@code input_K.pb} files and
 * writes {@code output_K.pb} files. The outputs are written to a temporary folder next to the target and moved
 * into place only when all are written, so a failure never leaves a half-written output folder.
 */
@Command(name = "run", description = "Run a model on input_K.pb tensors and write output_K.pb tensors.")
final class RunCommand implements Callable<Integer> {
  private static final Pattern INPUT_FILE = Pattern.compile("input_(\\d+)\\.pb");

  @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx model file.")
  Path model;

  @Option(names = "--inputs-dir", required = true, paramLabel = "DIR",
      description = "Folder with input_0.pb, input_1.pb, ... (TensorProto; matched to inputs by name, else by position).")
  Path inputsDir;

  @Option(names = "--output-dir", required = true, paramLabel = "DIR",
      description = "Folder to write output_0.pb, ... into (created; existing output files are replaced).")
  Path outputDir;

  @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE", converter = DeviceConverter.class,
      description = "java, opencl or auto (default: ${DEFAULT-VALUE}).")
  SessionOptions.Device device;

  @Option(names = "--repeat", defaultValue = "1", paramLabel = "N", description = "Run N times and report the median time.")
  int repeat;

  @Option(names = "--no-optimize", description = "Run the graph as imported, without the optimization pipeline.")
  boolean noOptimize;

  @Option(names = "--strict", description = "Fail instead of falling back (an op without a kernel, a kernel that fails"
      + " to build, a graph OpenCL cannot plan), and check every output against the declared types.")
  boolean strict;

  @Option(names = "--dump-kernels", paramLabel = "DIR", description = "Write every OpenCL kernel source built to DIR.")
  Path dumpKernels;

  @Option(names = "--int8", paramLabel = "CALIB.json",
      description = "Run quantized to INT8 with a calibration file written by `offloadcl quantize`.")
  Path int8;

  @Option(names = "--profiles", split = ",", paramLabel = "PROFILE",
      description = "Run on several devices: device profiles (bundled ids such as java-cpu, pocl-cpu, or YAML files),"
          + " each bound to a real device; replaces --device.")
  List<String> profiles = List.of();

  @Option(names = "--strategy", defaultValue = "heft", paramLabel = "NAME",
      description = "Placement strategy with --profiles (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--report", paramLabel = "FILE.json",
      description = "With --profiles: write measured against predicted time per segment as JSON.")
  Path report;

  @CommandLine.ParentCommand
  Main main;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (repeat < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be at least 1, got " + repeat);
    }
    if (report != null && profiles.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--report needs --profiles");
    }
    AtomicReference<RunTimings> timings = new AtomicReference<>();
    SessionOptions opts = SessionOptions.builder().device(device).verbose(main.verbose).profiles(profiles)
        .strategy(strategy).timingListener(timings::set).optimize(!noOptimize).strict(strict)
        .dumpKernels(dumpKernels).int8(int8).build();
    PrintWriter out = spec.commandLine().getOut();
    try (InferenceSession session = InferenceSession.open(model, opts)) {
      Map<String, Tensor> feeds = readInputs(session, inputsDir);
      Map<String, Tensor> result = null;
      long[] times = new long[repeat];
      for (int i = 0; i < repeat; i++) {
        long t0 = System.nanoTime();
        result = session.run(feeds);
        times[i] = System.nanoTime() - t0;
      }
      writeOutputs(result, outputDir);
      out.println("model: " + model + " on device " + session.device());
      int k = 0;
      for (Map.Entry<String, Tensor> e : result.entrySet()) {
        out.println("output_" + k++ + ".pb  " + e.getKey() + "  " + Format.typeOf(e.getValue()) + "  "
            + Format.firstValues(e.getValue(), 8));
      }
      out.println(new Timings(times).summary());
      Map<String, Long> counters = session.backendCounters();
      if (counters.containsKey("device_peak_bytes")) {
        out.printf("device memory: peak %s of intermediates (planned, reused by liveness) vs %s if every"
            + " intermediate had its own buffer; weights %s; %d kernels per run, %d ops on Java kernels%n",
            Format.bytes(counters.get("device_peak_bytes")), Format.bytes(counters.get("intermediate_bytes")),
            Format.bytes(counters.get("constant_bytes")), counters.get("kernels_per_run"),
            counters.get("host_fallback_ops"));
      }
      if (timings.get() != null) {
        out.print(timings.get().table());
        if (report != null) {
          Files.writeString(report, timings.get().toJson());
          out.println("report: " + report);
        }
      }
    }
    return 0;
  }

  /**
   * Reads {@code input_K.pb} files in K order and assigns each to a model input: by the name stored in the file
   * when it names an input, else by its position K.
   */
  static Map<String, Tensor> readInputs(InferenceSession session, Path dir) throws IOException {
    if (dir == null || !Files.isDirectory(dir)) {
      throw new OffloadException("inputs directory not found: " + dir);
    }
    TreeMap<Integer, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "input_*.pb")) {
      for (Path p : ds) {
        Matcher m = INPUT_FILE.matcher(p.getFileName().toString());
        if (m.matches()) {
          files.put(Integer.parseInt(m.group(1)), p);
        }
      }
    }
    List<TensorInfo> declared = session.inputs();
    List<String> names = new ArrayList<>();
    for (TensorInfo t : declared) {
      names.add(t.name());
    }
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    Map<String, Path> from = new LinkedHashMap<>();
    for (Map.Entry<Integer, Path> e : files.entrySet()) {
      TensorFile tf = TensorFile.read(e.getValue());
      String target;
      if (names.contains(tf.name())) {
        target = tf.name();
      } else if (e.getKey() < names.size()) {
        target = names.get(e.getKey());
      } else {
        throw new ShapeMismatchException("extra input file " + e.getValue().getFileName() + " (tensor '" + tf.name()
            + "', " + Format.typeOf(tf.tensor()) + "): the model has " + names.size() + " input(s) " + declared);
      }
      Path before = from.put(target, e.getValue());
      if (before != null) {
        throw new ShapeMismatchException("input '" + target + "' is given twice: by " + before.getFileName() + " and "
            + e.getValue().getFileName());
      }
      feeds.put(target, tf.tensor());
    }
    for (TensorInfo t : declared) {
      if (!feeds.containsKey(t.name())) {
        throw new ShapeMismatchException("missing input '" + t.name() + "' (expected " + Format.typeOf(t) + "): no input_K.pb in "
            + dir + " names it or sits at its position " + declared.indexOf(t));
      }
    }
    return feeds;
  }

  /** Writes every output into a fresh sibling folder, then moves the files into {@code target} in one step each. */
  static void writeOutputs(Map<String, Tensor> result, Path target) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new OffloadException("output path exists and is not a directory: " + target);
    }
    Path parent = abs.getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".tmp-");
    try {
      int k = 0;
      for (Map.Entry<String, Tensor> e : result.entrySet()) {
        TensorFile.write(tmp.resolve("output_" + k++ + ".pb"), e.getKey(), e.getValue());
      }
      if (!Files.exists(abs)) {
        move(tmp, abs);
        return;
      }
      try (Stream<Path> s = Files.list(tmp)) {
        for (Path p : (Iterable<Path>) s.sorted()::iterator) {
          move(p, abs.resolve(p.getFileName()));
        }
      }
    } finally {
      deleteTree(tmp);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(q -> {
        try {
          Files.deleteIfExists(q);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // a leftover temp folder is harmless; the real error (if any) is already on its way up
    }
  }
}
