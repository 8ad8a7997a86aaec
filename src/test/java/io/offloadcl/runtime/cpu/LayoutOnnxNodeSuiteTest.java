package io.offloadcl.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnx.proto.OnnxMl;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.ShapeInference;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the ONNX backend node tests of the layout and shape ops on the reference executor. Until the project's
 * importer is on this branch it reads the protobufs with a small loader of its own, enough for one-node test
 * models (tensors, attributes, value infos). A test whose model holds any op outside this family is left out.
 */
class LayoutOnnxNodeSuiteTest {
  static final Set<String> OPS = Set.of("Concat", "Expand", "Flatten", "Gather", "Pad", "Reshape", "Resize", "Slice",
      "Split", "Squeeze", "Unsqueeze", "Transpose", "Shape", "Constant", "ConstantOfShape", "Range", "Tile",
      "GatherElements", "GatherND", "ScatterElements", "DepthToSpace", "SpaceToDepth", "Size", "EyeLike", "Trilu",
      "OneHot", "NonZero", "Upsample", "Scatter", "ScatterND");

  static List<Path> roots() {
    List<Path> r = new ArrayList<>();
    String shared = System.getenv("OFFLOADCL_SHARED");
    r.add(Paths.get(shared == null ? "../shared" : shared, "testdata", "onnx-node-v1.22"));
    r.add(Paths.get("/usr/share/libonnx-testdata/data/node"));
    return r;
  }

  private static final Map<String, int[]> TALLY = new TreeMap<>();

  @AfterAll
  static void printTally() {
    TALLY.forEach((k, v) -> System.out.println("node tests " + k + ": PASS " + v[0] + " FAIL " + v[1] + " ERROR " + v[2]));
  }

  @TestFactory
  Stream<DynamicTest> nodeTests() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path root : roots()) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      List<Path> dirs;
      try (Stream<Path> s = Files.list(root)) {
        dirs = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().collect(Collectors.toList());
      }
      for (Path dir : dirs) {
        OnnxMl.ModelProto m;
        try {
          m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
        } catch (IOException e) {
          continue;
        }
        if (m.getGraph().getNodeCount() == 0 || !m.getGraph().getNodeList().stream().allMatch(n -> OPS.contains(n.getOpType()) && n.getDomain().isEmpty())) {
          if (System.getenv("LAYOUT_DEBUG") != null) {
            System.out.println("SKIP " + dir.getFileName() + " " + m.getGraph().getNodeList().stream().map(n -> n.getOpType()).collect(Collectors.toSet()));
          }
          continue;
        }
        String key = root.getFileName().toString();
        tests.add(DynamicTest.dynamicTest(key + "/" + dir.getFileName(), () -> {
          int[] t = TALLY.computeIfAbsent(key, k -> new int[3]);
          try {
            runCase(m, dir);
            t[0]++;
          } catch (AssertionError e) {
            t[1]++;
            System.out.println("FAIL " + key + "/" + dir.getFileName() + ": " + e.getMessage());
            throw e;
          } catch (RuntimeException e) {
            t[2]++;
            System.out.println("ERROR " + key + "/" + dir.getFileName() + ": " + e);
            throw e;
          }
        }));
      }
    }
    return tests.stream();
  }

  static void runCase(OnnxMl.ModelProto m, Path dir) throws IOException {
    Graph g = toGraph(m);
    ShapeInference.run(g);
    ReferenceExecutor ex = new ReferenceExecutor(g);
    List<Path> sets;
    try (Stream<Path> s = Files.list(dir)) {
      sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set")).sorted().collect(Collectors.toList());
    }
    for (Path set : sets) {
      Map<String, TensorData> feeds = new HashMap<>();
      for (int i = 0; i < g.inputs().size(); i++) {
        Path p = set.resolve("input_" + i + ".pb");
        feeds.put(g.inputs().get(i).name(), tensor(OnnxMl.TensorProto.parseFrom(Files.readAllBytes(p))));
      }
      Map<String, TensorData> out = ex.run(feeds);
      for (int i = 0; i < g.outputs().size(); i++) {
        TensorData want = tensor(OnnxMl.TensorProto.parseFrom(Files.readAllBytes(set.resolve("output_" + i + ".pb"))));
        TensorData got = out.get(g.outputs().get(i).name());
        compare(dir.getFileName() + " output " + i, want, got);
      }
    }
  }

  static void compare(String what, TensorData want, TensorData got) {
    assertEquals(want.dtype(), got.dtype(), what + " dtype");
    assertEquals(want.shape(), got.shape(), what + " shape");
    for (int i = 0; i < want.size(); i++) {
      if (want.dtype() == DType.STRING) {
        assertEquals(want.strings()[i], got.strings()[i], what + " element " + i);
      } else if (want.dtype().isFloating()) {
        double a = want.getDouble(i);
        double b = got.getDouble(i);
        if (!(Double.isNaN(a) && Double.isNaN(b)) && Math.abs(a - b) > 1e-5 + 1e-3 * Math.abs(a)) {
          fail(what + " element " + i + ": expected " + a + ", got " + b);
        }
      } else {
        assertEquals(want.getLong(i), got.getLong(i), what + " element " + i);
      }
    }
  }

  // ---------------------------------------------------------------- minimal protobuf → IR

  static Graph toGraph(OnnxMl.ModelProto m) {
    int opset = 1;
    for (OnnxMl.OperatorSetIdProto o : m.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        opset = (int) o.getVersion();
      }
    }
    OnnxMl.GraphProto gp = m.getGraph();
    Graph g = new Graph(gp.getName());
    g.opsetImports().put("", opset);
    Map<String, OnnxMl.TensorProto> inits = new LinkedHashMap<>();
    for (OnnxMl.TensorProto t : gp.getInitializerList()) {
      inits.put(t.getName(), t);
    }
    for (OnnxMl.ValueInfoProto vi : gp.getInputList()) {
      if (!inits.containsKey(vi.getName())) {
        g.addInput(vi.getName(), type(vi));
      }
    }
    for (OnnxMl.TensorProto t : inits.values()) {
      g.addConstant(t.getName(), tensor(t));
    }
    for (OnnxMl.NodeProto np : gp.getNodeList()) {
      List<Value> ins = new ArrayList<>();
      for (String s : np.getInputList()) {
        ins.add(s.isEmpty() ? null : g.value(s));
      }
      Attributes a = new Attributes();
      for (OnnxMl.AttributeProto ap : np.getAttributeList()) {
        Object v = attr(ap);
        if (v != null) {
          a.set(ap.getName(), v);
        }
      }
      g.addNode(np.getOpType(), "", opset, np.getName().isEmpty() ? null : np.getName(), ins, np.getOutputList(), a);
    }
    for (OnnxMl.ValueInfoProto vi : gp.getOutputList()) {
      g.addOutput(g.value(vi.getName()));
    }
    return g;
  }

  static Object attr(OnnxMl.AttributeProto ap) {
    switch (ap.getType()) {
      case FLOAT: return ap.getF();
      case INT: return ap.getI();
      case STRING: return ap.getS().toStringUtf8();
      case TENSOR: return tensor(ap.getT());
      case FLOATS: {
        float[] f = new float[ap.getFloatsCount()];
        for (int i = 0; i < f.length; i++) {
          f[i] = ap.getFloats(i);
        }
        return f;
      }
      case INTS: return ap.getIntsList().stream().mapToLong(Long::longValue).toArray();
      case STRINGS: return ap.getStringsList().stream().map(b -> b.toStringUtf8()).toArray(String[]::new);
      case SPARSE_TENSOR: return TensorData.scalarLong(0);
      default: return null;
    }
  }

  static TensorType type(OnnxMl.ValueInfoProto vi) {
    OnnxMl.TypeProto.Tensor tt = vi.getType().getTensorType();
    DType dt = DType.fromOnnx(tt.getElemType());
    if (!tt.hasShape()) {
      return new TensorType(dt, null);
    }
    long[] dims = new long[tt.getShape().getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      OnnxMl.TensorShapeProto.Dimension d = tt.getShape().getDim(i);
      dims[i] = d.hasDimValue() ? d.getDimValue() : -1;
    }
    return new TensorType(dt, Shape.of(dims));
  }

  static TensorData tensor(OnnxMl.TensorProto t) {
    DType dt = DType.fromOnnx(t.getDataType());
    long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    TensorData r = TensorData.zeros(dt, dims);
    int n = r.size();
    if (dt == DType.STRING) {
      for (int i = 0; i < n; i++) {
        r.strings()[i] = t.getStringData(i).toStringUtf8();
      }
      return r;
    }
    if (!t.getRawData().isEmpty()) {
      ByteBuffer b = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        switch (dt) {
          case FLOAT32: r.floats()[i] = b.getFloat(); break;
          case FLOAT64: r.doubles()[i] = b.getDouble(); break;
          case FLOAT16: r.floats()[i] = half(b.getShort()); break;
          case BFLOAT16: r.floats()[i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16); break;
          case INT8: r.ints()[i] = b.get(); break;
          case UINT8: r.ints()[i] = b.get() & 0xFF; break;
          case INT16: r.ints()[i] = b.getShort(); break;
          case UINT16: r.ints()[i] = b.getShort() & 0xFFFF; break;
          case INT32: r.ints()[i] = b.getInt(); break;
          case UINT32: r.longs()[i] = b.getInt() & 0xFFFFFFFFL; break;
          case INT64: case UINT64: r.longs()[i] = b.getLong(); break;
          case BOOL: r.bools()[i] = b.get() != 0; break;
          default: throw new IllegalArgumentException("dtype " + dt);
        }
      }
      return r;
    }
    for (int i = 0; i < n; i++) {
      switch (dt) {
        case FLOAT32: r.floats()[i] = t.getFloatData(i); break;
        case FLOAT64: r.doubles()[i] = t.getDoubleData(i); break;
        case FLOAT16: r.floats()[i] = half((short) t.getInt32Data(i)); break;
        case BFLOAT16: r.floats()[i] = Float.intBitsToFloat((t.getInt32Data(i) & 0xFFFF) << 16); break;
        case INT64: r.longs()[i] = t.getInt64Data(i); break;
        case UINT32: case UINT64: r.longs()[i] = t.getUint64Data(i); break;
        case BOOL: r.bools()[i] = t.getInt32Data(i) != 0; break;
        default: r.setLong(i, t.getInt32Data(i));
      }
    }
    return r;
  }

  static float half(short h) {
    int s = (h >> 15) & 1;
    int e = (h >> 10) & 0x1F;
    int f = h & 0x3FF;
    float v;
    if (e == 0) {
      v = (float) (f * Math.pow(2, -24));
    } else if (e == 31) {
      v = f == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
    } else {
      v = (float) ((1 + f / 1024.0) * Math.pow(2, e - 15));
    }
    return s == 1 ? -v : v;
  }
}
