package io.offloadcl.device;

import io.offloadcl.ir.ProfileException;
import io.offloadcl.ops.FusionKind;
import io.offloadcl.ops.OpCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads device profiles from YAML files or from the bundled {@code device-profiles/} resources.
 *
 * <p>The file is composed into SnakeYAML's node tree rather than bound to objects, so that every error can
 * name the file, the line and the field: a profile drives decisions silently, so a typo must fail loudly
 * instead of falling back to a default. Unknown keys are errors for the same reason. The schema is in
 * {@code docs/cost-model.md}.
 */
public final class DeviceProfiles {
  /** The resource folder inside the jar, and its index of bundled profile ids (one per line). */
  public static final String RESOURCE_DIR = "device-profiles/";
  private static final String INDEX = RESOURCE_DIR + "index.txt";

  private static final Set<String> TOP_KEYS = Set.of("name", "kind", "match", "peak-gflops-fp32", "peak-gops-int8",
      "memory-bandwidth-gbs", "memory-capacity-gb", "host-link", "launch-overhead-us", "supported-ops",
      "unsupported-ops", "efficiency");
  private static final Set<String> MATCH_KEYS = Set.of("platform", "device", "type");
  private static final Set<String> LINK_KEYS = Set.of("bandwidth-gbs", "latency-us", "shared-memory");

  /**
   * Op types a profile may name even before the catalog registers them: the ONNX operators OffloadCL targets
   * and its own fused ops. A profile naming anything else (a typo) is rejected.
   */
  private static final Set<String> KNOWN_OP_NAMES = new TreeSet<>(Arrays.asList(
      "Abs", "Acos", "Add", "And", "ArgMax", "ArgMin", "Asin", "Atan", "AveragePool", "BatchNormalization", "Cast",
      "Ceil", "Celu", "Clip", "Concat", "Constant", "ConstantOfShape", "Conv", "ConvInteger", "ConvTranspose", "Cos",
      "Cosh", "CumSum", "DepthToSpace", "DequantizeLinear", "Div", "Dropout", "Einsum", "Elu", "Equal", "Erf", "Exp",
      "Expand", "Flatten", "Floor", "Gather", "GatherElements", "Gelu", "Gemm", "GlobalAveragePool", "GlobalMaxPool",
      "Greater", "GreaterOrEqual", "HardSigmoid", "HardSwish", "Identity", "InstanceNormalization",
      "LayerNormalization", "LeakyRelu", "Less", "LessOrEqual", "Log", "LogSoftmax", "LRN", "MatMul",
      "MatMulInteger", "Max", "MaxPool", "Mean", "Min", "Mish", "Mod", "Mul", "Neg", "Not", "Or", "Pad", "Pow",
      "PRelu", "QLinearConv", "QLinearMatMul", "QuantizeLinear", "Range", "Reciprocal", "ReduceL1", "ReduceL2",
      "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "ReduceSumSquare",
      "Relu", "Reshape", "Resize", "Round", "Selu", "Shape", "Sigmoid", "Sign", "Sin", "Sinh", "Size", "Slice",
      "Softmax", "Softplus", "Softsign", "SpaceToDepth", "Split", "Sqrt", "Squeeze", "Sub", "Sum", "Tan", "Tanh",
      "ThresholdedRelu", "Tile", "TopK", "Transpose", "Trilu", "Unsqueeze", "Upsample", "Where", "Xor",
      "FusedConv", "FusedGemm", "FusedMatMul", "FusedElementwise"));

  private DeviceProfiles() {}

  /** Op names a profile may list: the catalog's ops and the known ONNX and fused op names. */
  public static Set<String> knownOpNames() {
    Set<String> s = new TreeSet<>(KNOWN_OP_NAMES);
    s.addAll(OpCatalog.all().keySet());
    return s;
  }

  /** Reads one profile file; its id is the file name without {@code .yaml}/{@code .yml}. */
  public static DeviceProfile load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ProfileException("cannot read device profile " + file + ": " + e.getMessage(), e);
    }
    return parse(text, idOf(file.getFileName().toString()), file.toString());
  }

  /** Ids of the profiles packaged with OffloadCL, in index order. */
  public static List<String> bundledIds() {
    String idx = readResource(INDEX);
    if (idx == null) {
      throw new ProfileException("bundled profile index " + INDEX + " is missing from the class path");
    }
    List<String> ids = new ArrayList<>();
    for (String line : idx.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        ids.add(t);
      }
    }
    return ids;
  }

  /** A bundled profile by id (e.g. {@code pocl-cpu}). */
  public static DeviceProfile bundled(String id) {
    String res = RESOURCE_DIR + id + ".yaml";
    String text = readResource(res);
    if (text == null) {
      throw new ProfileException("no bundled device profile '" + id + "'; bundled: " + bundledIds());
    }
    return parse(text, id, res);
  }

  /** Every bundled profile. */
  public static List<DeviceProfile> allBundled() {
    List<DeviceProfile> r = new ArrayList<>();
    for (String id : bundledIds()) {
      r.add(bundled(id));
    }
    return r;
  }

  /**
   * Gives repeated profiles distinct ids ({@code pocl-cpu}, {@code pocl-cpu#2}, …) so that one profile can
   * describe two devices of the same make; the placement tells devices apart by id.
   */
  public static List<DeviceProfile> distinctIds(List<DeviceProfile> profiles) {
    Map<String, Integer> seen = new HashMap<>();
    List<DeviceProfile> r = new ArrayList<>();
    for (DeviceProfile p : profiles) {
      int n = seen.merge(p.id(), 1, Integer::sum);
      r.add(n == 1 ? p : renamed(p, p.id() + "#" + n));
    }
    return r;
  }

  private static DeviceProfile renamed(DeviceProfile p, String id) {
    DeviceProfile.Builder b = DeviceProfile.builder(id, p.kind()).name(p.name() + " #" + id.substring(id.indexOf('#') + 1))
        .match(p.match()).peakGflops(p.peakGflopsFp32()).peakGopsInt8(p.peakGopsInt8())
        .memoryBandwidthGBs(p.memoryBandwidthGBs()).memoryCapacityBytes(p.memoryCapacityBytes())
        .sharedMemory(p.sharedMemory()).launchOverheadUs(p.launchOverheadUs()).supportedOps(p.supportedOps())
        .unsupportedOps(p.unsupportedOps()).source(p.source());
    if (p.hostResident()) {
      b.hostResident();
    } else {
      b.link(p.linkBandwidthGBs(), p.linkLatencyUs());
    }
    p.efficiencies().forEach(b::efficiency);
    return b.build();
  }

  /**
   * The bundled profile that describes an OpenCL device: of those whose match rule accepts it, the one whose rule
   * names the most fields ({@code pocl-cpu-basic}, which also names the device, over {@code pocl-cpu}), the first
   * in the index on a tie; null when none does.
   */
  public static DeviceProfile bundledFor(String platformName, String deviceName, String deviceType) {
    DeviceProfile best = null;
    for (DeviceProfile p : allBundledCached()) {
      if (p.match().matchesOpenCl(platformName, deviceName, deviceType)
          && (best == null || fields(p.match()) > fields(best.match()))) {
        best = p;
      }
    }
    return best;
  }

  private static int fields(DeviceMatch m) {
    return (m.platform() != null ? 1 : 0) + (m.device() != null ? 1 : 0) + (m.type() != null ? 1 : 0);
  }

  private static volatile List<DeviceProfile> bundledCache;

  private static List<DeviceProfile> allBundledCached() {
    List<DeviceProfile> r = bundledCache;
    if (r == null) {
      r = List.copyOf(allBundled());
      bundledCache = r;
    }
    return r;
  }

  /** A profile given as a file path (when it names an existing file or ends in .yaml/.yml) or a bundled id. */
  public static DeviceProfile resolve(String idOrPath) {
    Path p = Path.of(idOrPath);
    if (Files.isRegularFile(p)) {
      return load(p);
    }
    if (idOrPath.endsWith(".yaml") || idOrPath.endsWith(".yml")) {
      throw new ProfileException("device profile file " + idOrPath + " does not exist");
    }
    return bundled(idOrPath);
  }

  /** Every {@code *.yaml} profile in a folder, sorted by file name. */
  public static List<DeviceProfile> loadDirectory(Path dir) {
    List<Path> files = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new ProfileException("cannot list device profile folder " + dir + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new ProfileException("no *.yaml device profiles in " + dir);
    }
    List<DeviceProfile> r = new ArrayList<>();
    for (Path f : files) {
      r.add(load(f));
    }
    return r;
  }

  /**
   * Parses profile text. {@code source} names the file in errors.
   *
   * @throws ProfileException naming source, line and field for anything malformed
   */
  public static DeviceProfile parse(String text, String id, String source) {
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new ProfileException(source + ":" + line + ": not valid YAML: " + e.getProblem(), e);
    } catch (RuntimeException e) {
      throw new ProfileException(source + ": not valid YAML: " + e.getMessage(), e);
    }
    if (!(root instanceof MappingNode)) {
      throw new ProfileException(source + ":" + (root == null ? 1 : line(root))
          + ": a device profile must be a mapping of fields, found " + (root == null ? "an empty file" : describe(root)));
    }
    Fields f = new Fields(source, "", (MappingNode) root, TOP_KEYS);
    DeviceKind kind = f.kind();
    DeviceProfile.Builder b = DeviceProfile.builder(id, kind).source(source);
    b.name(f.string("name"));
    b.match(f.match());
    b.peakGflops(f.positive("peak-gflops-fp32"));
    if (f.has("peak-gops-int8")) {
      b.peakGopsInt8(f.positive("peak-gops-int8"));
    }
    b.memoryBandwidthGBs(f.positive("memory-bandwidth-gbs"));
    b.memoryCapacityBytes(Math.round(f.positive("memory-capacity-gb") * 1e9));
    Node link = f.required("host-link");
    if (link instanceof ScalarNode && "host".equals(((ScalarNode) link).getValue())) {
      b.hostResident();
    } else if (link instanceof MappingNode) {
      Fields lf = new Fields(source, "host-link.", (MappingNode) link, LINK_KEYS);
      b.link(lf.positive("bandwidth-gbs"), lf.nonNegative("latency-us"));
      if (lf.has("shared-memory")) {
        b.sharedMemory(lf.bool("shared-memory"));
      }
    } else {
      throw f.error(link, "host-link", "the word 'host' or a mapping with bandwidth-gbs and latency-us", describe(link));
    }
    b.launchOverheadUs(f.nonNegative("launch-overhead-us"));
    Node sup = f.required("supported-ops");
    if (sup instanceof ScalarNode && "all".equals(((ScalarNode) sup).getValue())) {
      b.supportedOps(null);
    } else {
      b.supportedOps(f.opList("supported-ops", sup));
    }
    if (f.has("unsupported-ops")) {
      b.unsupportedOps(f.opList("unsupported-ops", f.required("unsupported-ops")));
    }
    Node eff = f.required("efficiency");
    if (!(eff instanceof MappingNode)) {
      throw f.error(eff, "efficiency", "a mapping of fusion kind → factor in (0, 1]", describe(eff));
    }
    Set<String> effKeys = new LinkedHashSet<>();
    effKeys.add("default");
    for (FusionKind k : FusionKind.values()) {
      effKeys.add(effKey(k));
    }
    Fields ef = new Fields(source, "efficiency.", (MappingNode) eff, effKeys);
    boolean hasDefault = ef.has("default");
    if (hasDefault) {
      b.defaultEfficiency(ef.fraction("default"));
    }
    for (FusionKind k : FusionKind.values()) {
      if (ef.has(effKey(k))) {
        b.efficiency(k, ef.fraction(effKey(k)));
      } else if (!hasDefault) {
        throw new ProfileException(source + ":" + line(eff) + ": field 'efficiency." + effKey(k)
            + "' is missing (give every fusion kind or a 'default')");
      }
    }
    return b.build();
  }

  /** The YAML key for a fusion kind: {@code OUT_ELEMWISE_FUSABLE} → {@code out-elemwise-fusable}. */
  public static String effKey(FusionKind k) {
    return k.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String idOf(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }

  private static String readResource(String res) {
    ClassLoader cl = DeviceProfiles.class.getClassLoader();
    try (InputStream in = cl.getResourceAsStream(res)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ProfileException("cannot read resource " + res + ": " + e.getMessage(), e);
    }
  }

  static int line(Node n) {
    return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }

  static String describe(Node n) {
    if (n instanceof ScalarNode) {
      return "'" + ((ScalarNode) n).getValue() + "'";
    }
    return n instanceof SequenceNode ? "a list" : "a mapping";
  }

  /** One YAML mapping being read, with the path prefix and file for messages. */
  private static final class Fields {
    private final String source;
    private final String prefix;
    private final MappingNode map;
    private final Map<String, Node> values = new HashMap<>();

    Fields(String source, String prefix, MappingNode map, Set<String> allowed) {
      this.source = source;
      this.prefix = prefix;
      this.map = map;
      for (NodeTuple t : map.getValue()) {
        Node k = t.getKeyNode();
        if (!(k instanceof ScalarNode)) {
          throw new ProfileException(source + ":" + line(k) + ": keys must be plain words under '" + prefix + "'");
        }
        String key = ((ScalarNode) k).getValue();
        if (!allowed.contains(key)) {
          throw new ProfileException(source + ":" + line(k) + ": unknown field '" + prefix + key + "'; expected one of "
              + new TreeSet<>(allowed));
        }
        if (values.put(key, t.getValueNode()) != null) {
          throw new ProfileException(source + ":" + line(k) + ": field '" + prefix + key + "' is given twice");
        }
      }
    }

    boolean has(String key) {
      return values.containsKey(key);
    }

    Node required(String key) {
      Node n = values.get(key);
      if (n == null) {
        throw new ProfileException(source + ":" + line(map) + ": required field '" + prefix + key + "' is missing");
      }
      return n;
    }

    ProfileException error(Node at, String key, String expected, String got) {
      return new ProfileException(source + ":" + line(at) + ": field '" + prefix + key + "': expected " + expected
          + ", got " + got);
    }

    String scalar(String key, String expected) {
      Node n = required(key);
      if (!(n instanceof ScalarNode)) {
        throw error(n, key, expected, describe(n));
      }
      return ((ScalarNode) n).getValue();
    }

    String string(String key) {
      String s = scalar(key, "a text");
      if (s.isBlank()) {
        throw error(required(key), key, "a non-empty text", "''");
      }
      return s;
    }

    boolean bool(String key) {
      String s = scalar(key, "true or false");
      if (!s.equals("true") && !s.equals("false")) {
        throw error(required(key), key, "true or false", "'" + s + "'");
      }
      return Boolean.parseBoolean(s);
    }

    double number(String key, String expected) {
      String s = scalar(key, expected);
      try {
        double d = Double.parseDouble(s.replace("_", ""));
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        throw error(required(key), key, expected, "'" + s + "'");
      }
    }

    double positive(String key) {
      double d = number(key, "a positive number");
      if (!(d > 0)) {
        throw error(required(key), key, "a positive number", String.valueOf(d));
      }
      return d;
    }

    double nonNegative(String key) {
      double d = number(key, "a number >= 0");
      if (d < 0) {
        throw error(required(key), key, "a number >= 0", String.valueOf(d));
      }
      return d;
    }

    double fraction(String key) {
      double d = number(key, "a factor in (0, 1]");
      if (!(d > 0) || d > 1) {
        throw error(required(key), key, "a factor in (0, 1]", String.valueOf(d));
      }
      return d;
    }

    DeviceKind kind() {
      String s = scalar("kind", "cpu, gpu or accelerator");
      for (DeviceKind k : DeviceKind.values()) {
        if (k.yamlName().equals(s)) {
          return k;
        }
      }
      throw error(required("kind"), "kind", "cpu, gpu or accelerator", "'" + s + "'");
    }

    DeviceMatch match() {
      Node n = required("match");
      if (n instanceof ScalarNode && "java".equals(((ScalarNode) n).getValue())) {
        return DeviceMatch.javaCpu();
      }
      if (!(n instanceof MappingNode)) {
        throw error(n, "match", "'java' or a mapping with platform, device and/or type", describe(n));
      }
      Fields m = new Fields(source, "match.", (MappingNode) n, MATCH_KEYS);
      if (m.values.isEmpty()) {
        throw error(n, "match", "at least one of platform, device, type", "an empty mapping");
      }
      return DeviceMatch.openCl(m.has("platform") ? m.string("platform") : null,
          m.has("device") ? m.string("device") : null, m.has("type") ? m.string("type") : null);
    }

    Set<String> opList(String key, Node n) {
      if (!(n instanceof SequenceNode)) {
        throw error(n, key, "a list of op types" + (key.equals("supported-ops") ? " or 'all'" : ""), describe(n));
      }
      Set<String> known = knownOpNames();
      Set<String> ops = new TreeSet<>();
      for (Node item : ((SequenceNode) n).getValue()) {
        if (!(item instanceof ScalarNode)) {
          throw error(item, key, "an op type name", describe(item));
        }
        String op = ((ScalarNode) item).getValue();
        if (!known.contains(op)) {
          throw new ProfileException(source + ":" + line(item) + ": field '" + prefix + key + "': unknown op '" + op
              + "'");
        }
        ops.add(op);
      }
      return ops;
    }
  }
}
