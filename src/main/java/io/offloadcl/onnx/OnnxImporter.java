package io.offloadcl.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.GraphVerifier;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.OffloadException;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.UnsupportedOperatorException;
import io.offloadcl.ir.Value;
import io.offloadcl.ops.OpCatalog;
import io.offloadcl.ops.ShapeInference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX ModelProto → {@link Graph}.
 *
 * <p>The import is faithful rather than normalizing: every node keeps its op type, domain, attributes and the
 * opset version the model imports for its domain, and op specs handle each version's form. Initializers become
 * constants (also when old IR versions list them as graph inputs too); {@code Constant} nodes stay nodes.
 * Nodes are ordered topologically even when the file is not.
 *
 * <p>Sub-graphs (If/Loop/Scan bodies) become {@link Graph} attribute values. A name a sub-graph takes from an
 * enclosing graph becomes a constant of the sub-graph when the outer value is a constant, otherwise an extra
 * input appended after the sub-graph's declared inputs; an op that runs the body matches those by name.
 *
 * <p>Everything a file declares is validated before use, so a malformed, truncated or corrupted file fails
 * with a {@link ModelFormatException} naming the file and what is wrong, never with a raw Java exception.
 */
public final class OnnxImporter {
  /** Protobuf cannot parse messages of 2 GiB or more. */
  private static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 8;
  private static final int MAX_NODES_LISTED = 8;

  private final String source;
  private final Path baseDir;
  private final Map<String, Integer> opsets = new LinkedHashMap<>();
  /** Main-graph inputs and outputs whose declared type is not a tensor of an element type we hold. */
  private final List<String> unsupportedTypes = new ArrayList<>();

  private OnnxImporter(String source, Path baseDir) {
    this.source = source;
    this.baseDir = baseDir;
  }

  /**
   * Reads, validates and imports a model file, runs static shape inference, and fails before anything runs
   * when an op is unsupported. External-data files are resolved relative to the model's folder.
   *
   * @throws ModelFormatException for a malformed, truncated or inconsistent file
   * @throws UnsupportedOperatorException listing every unsupported op type and its nodes
   */
  public static Graph load(Path model) {
    return load(model, true);
  }

  /** As {@link #load(Path)}; with {@code checkOps} false the op check and shape inference are skipped. */
  static Graph load(Path model, boolean checkOps) {
    if (model == null) {
      throw new ModelFormatException("no model file given (null path)");
    }
    String name = String.valueOf(model);
    byte[] bytes;
    try {
      if (Files.isDirectory(model)) {
        throw new ModelFormatException(name + ": is a folder, not an ONNX model file");
      }
      long size = Files.size(model);
      if (size > MAX_MODEL_BYTES) {
        throw new ModelFormatException(name + ": " + size + " bytes is beyond the 2 GiB a protobuf model may have"
            + " (store the weights as external data)");
      }
      bytes = Files.readAllBytes(model);
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(name + ": model file not found", e);
    } catch (IOException e) {
      throw new ModelFormatException(name + ": cannot read model file: " + e, e);
    }
    Path dir = model.toAbsolutePath().getParent();
    return importModel(parse(bytes, name), dir, checkOps, name);
  }

  /** As {@link #load} from bytes; {@code baseDir} (nullable) resolves external-data files. */
  public static Graph fromBytes(byte[] bytes, Path baseDir) {
    if (bytes == null) {
      throw new ModelFormatException("model bytes are null");
    }
    return importModel(parse(bytes, "model bytes"), baseDir, true, "model bytes");
  }

  /** Parses ModelProto bytes; {@code source} names them in the error. */
  static ModelProto parse(byte[] bytes, String source) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      // sub-graph nesting is the only deep recursion in ONNX; keep protobuf's default guard explicit
      in.setRecursionLimit(100);
      ModelProto m = ModelProto.parseFrom(in);
      in.checkLastTagWas(0);
      return m;
    } catch (IOException e) {
      throw new ModelFormatException(source + ": not a valid ONNX model (protobuf parse error: " + e.getMessage() + ")", e);
    } catch (RuntimeException | StackOverflowError e) {
      throw new ModelFormatException(source + ": not a valid ONNX model (protobuf parse failed: " + e + ")", e);
    }
  }

  /** Imports with the op-support check and shape inference. */
  static Graph importModel(ModelProto m, Path baseDir, boolean checkOps) {
    return importModel(m, baseDir, checkOps, "model");
  }

  /**
   * The import proper. With {@code checkOps} false the support check and shape inference are skipped, so a
   * model with ops the catalog does not know still imports structurally (tests of the importer itself).
   */
  static Graph importModel(ModelProto m, Path baseDir, boolean checkOps, String source) {
    OnnxImporter imp = new OnnxImporter(source, baseDir);
    Graph g;
    try {
      if (m == null || !m.hasGraph()) {
        throw imp.fail("the model has no graph");
      }
      imp.readOpsets(m);
      g = imp.buildGraph(m.getGraph(), null, true);
    } catch (OffloadException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new ModelFormatException(source + ": malformed model: " + e, e);
    }
    if (checkOps) {
      imp.checkSupported(g);
    }
    try {
      if (checkOps) {
        ShapeInference.run(g);
      }
      GraphVerifier.verify(g);
      g.sortTopologically();
    } catch (OffloadException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ModelFormatException(source + ": invalid graph: " + e, e);
    }
    return g;
  }

  private ModelFormatException fail(String message) {
    return new ModelFormatException(source + ": " + message);
  }

  private void readOpsets(ModelProto m) {
    for (OperatorSetIdProto o : m.getOpsetImportList()) {
      String d = normDomain(o.getDomain());
      long v = o.getVersion();
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw fail("opset import for domain '" + d + "' has version " + v);
      }
      opsets.put(d, (int) v);
    }
    if (opsets.isEmpty()) {
      // IR versions before 3 carried no opset imports and meant opset 1
      opsets.put("", 1);
    }
  }

  private static String normDomain(String d) {
    return d == null || d.equals("ai.onnx") ? "" : d;
  }

  private void checkSupported(Graph g) {
    Map<String, List<String>> missing = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      if (OpCatalog.find(n.domain(), n.opType()) == null) {
        String key = n.domain().isEmpty() ? n.opType() : n.domain() + "::" + n.opType();
        missing.computeIfAbsent(key, k -> new ArrayList<>()).add(n.name());
      }
    }
    if (missing.isEmpty() && unsupportedTypes.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder(missing.isEmpty() ? "" : "unsupported operators: ");
    boolean first = true;
    for (Map.Entry<String, List<String>> e : missing.entrySet()) {
      if (!first) {
        sb.append("; ");
      }
      first = false;
      List<String> nodes = e.getValue();
      sb.append(e.getKey()).append(nodes.size() == 1 ? " (node " : " (nodes ");
      for (int i = 0; i < Math.min(nodes.size(), MAX_NODES_LISTED); i++) {
        sb.append(i > 0 ? ", " : "").append(nodes.get(i));
      }
      if (nodes.size() > MAX_NODES_LISTED) {
        sb.append(" and ").append(nodes.size() - MAX_NODES_LISTED).append(" more");
      }
      sb.append(')');
    }
    if (!unsupportedTypes.isEmpty()) {
      sb.append(missing.isEmpty() ? "" : "; ").append("unsupported types: ").append(String.join(", ", unsupportedTypes));
    }
    sb.append(" in ").append(source);
    throw new UnsupportedOperatorException(sb.toString());
  }

  /** Names visible while a graph is built: its own values, then those of the enclosing graphs. */
  private static final class Scope {
    final Graph graph;
    final Scope parent;

    Scope(Graph graph, Scope parent) {
      this.graph = graph;
      this.parent = parent;
    }

    /** The value named {@code name} in this graph, capturing it from an enclosing graph when needed. */
    Value resolve(String name) {
      Value v = graph.value(name);
      if (v != null || parent == null) {
        return v;
      }
      Value outer = parent.resolve(name);
      if (outer == null) {
        return null;
      }
      return outer.isConstant() ? graph.addConstant(name, outer.constant()) : graph.addInput(name, outer.type());
    }
  }

  private Graph buildGraph(GraphProto gp, Scope parent, boolean main) {
    String gname = gp.getName().isEmpty() ? (main ? "main" : "subgraph") : gp.getName();
    String where = main ? "" : "sub-graph '" + gname + "': ";
    Graph g = new Graph(gname);
    g.opsetImports().putAll(opsets);
    Scope scope = new Scope(g, parent);

    Set<String> initNames = new HashSet<>();
    for (TensorProto t : gp.getInitializerList()) {
      String name = t.getName();
      if (name.isEmpty()) {
        throw fail(where + "an initializer has no name");
      }
      if (!initNames.add(name)) {
        throw fail(where + "initializer '" + name + "' is defined twice");
      }
      g.addConstant(name, TensorCodec.decode(t, baseDir, source + ": " + where + "initializer '" + name + "'"));
    }
    if (gp.getSparseInitializerCount() > 0) {
      throw new UnsupportedOperatorException(source + ": " + where + "sparse initializers are not supported");
    }
    for (ValueInfoProto vi : gp.getInputList()) {
      String name = vi.getName();
      if (name.isEmpty()) {
        throw fail(where + "a graph input has no name");
      }
      if (initNames.contains(name)) {
        continue; // an initializer listed as input too (IR < 4): it is a constant
      }
      if (g.value(name) != null) {
        throw fail(where + "graph input '" + name + "' is declared twice");
      }
      g.addInput(name, type(vi, where + "graph input '" + name + "'"));
      if (main) {
        noteUnsupportedType(vi, "graph input");
      }
    }

    List<NodeProto> order = orderNodes(gp, g, where);
    Set<String> explicitNames = new HashSet<>();
    for (NodeProto np : gp.getNodeList()) {
      if (!np.getName().isEmpty()) {
        explicitNames.add(np.getName());
      }
    }
    Set<String> usedNames = new HashSet<>();
    for (NodeProto np : order) {
      addNode(np, g, scope, where, explicitNames, usedNames);
    }

    for (ValueInfoProto vi : gp.getValueInfoList()) {
      Value v = g.value(vi.getName());
      if (v != null && v.type() == null && !v.isConstant()) {
        v.setType(type(vi, where + "value_info '" + vi.getName() + "'"));
      }
    }
    if (gp.getOutputCount() == 0 && main) {
      throw fail("the graph has no outputs");
    }
    for (ValueInfoProto vi : gp.getOutputList()) {
      String name = vi.getName();
      if (name.isEmpty()) {
        throw fail(where + "a graph output has no name");
      }
      Value v = scope.resolve(name);
      if (v == null) {
        throw fail(where + "graph output '" + name + "' is not produced by any node, input or initializer");
      }
      if (v.type() == null) {
        v.setType(type(vi, where + "graph output '" + name + "'"));
      }
      if (main) {
        noteUnsupportedType(vi, "graph output");
      }
      g.addOutput(v);
    }
    g.sortTopologically();
    return g;
  }

  /**
   * Orders the proto nodes so producers come first (Kahn, stable); files are meant to be sorted already, but a
   * merely unsorted file should not be rejected. Also catches values produced twice and cycles.
   */
  private List<NodeProto> orderNodes(GraphProto gp, Graph g, String where) {
    int n = gp.getNodeCount();
    Map<String, Integer> producer = new HashMap<>();
    for (int i = 0; i < n; i++) {
      NodeProto np = gp.getNode(i);
      for (String out : np.getOutputList()) {
        if (out.isEmpty()) {
          continue;
        }
        if (g.value(out) != null) {
          throw fail(where + "node '" + label(np, i) + "' output '" + out
              + "' has the name of a graph input or initializer");
        }
        Integer prev = producer.put(out, i);
        if (prev != null) {
          throw fail(where + "value '" + out + "' is produced by both node '" + label(gp.getNode(prev), prev)
              + "' and node '" + label(np, i) + "'");
        }
      }
    }
    int[] pending = new int[n];
    List<List<Integer>> consumers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      consumers.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      for (String in : gp.getNode(i).getInputList()) {
        Integer p = in.isEmpty() ? null : producer.get(in);
        if (p != null) {
          pending[i]++;
          consumers.get(p).add(i);
        }
      }
    }
    Deque<Integer> ready = new ArrayDeque<>();
    for (int i = 0; i < n; i++) {
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    List<NodeProto> order = new ArrayList<>(n);
    // a min-ordered ready set would be stabler, but FIFO over file order already keeps sorted files as they are
    while (!ready.isEmpty()) {
      int i = ready.poll();
      order.add(gp.getNode(i));
      for (int c : consumers.get(i)) {
        if (--pending[c] == 0) {
          ready.add(c);
        }
      }
    }
    if (order.size() != n) {
      for (int i = 0; i < n; i++) {
        if (pending[i] > 0) {
          throw fail(where + "the nodes form a cycle through node '" + label(gp.getNode(i), i) + "' ("
              + gp.getNode(i).getOpType() + ")");
        }
      }
    }
    return order;
  }

  private static String label(NodeProto np, int index) {
    return np.getName().isEmpty() ? "#" + index + " " + np.getOpType() : np.getName();
  }

  private void addNode(NodeProto np, Graph g, Scope scope, String where, Set<String> explicitNames,
      Set<String> usedNames) {
    String opType = np.getOpType();
    String domain = normDomain(np.getDomain());
    String name = np.getName();
    if (name.isEmpty() || usedNames.contains(name)) {
      String base = name.isEmpty() ? (opType.isEmpty() ? "node" : opType) : name;
      int k = 1;
      String cand;
      do {
        cand = base + "_" + k++;
      } while (usedNames.contains(cand) || explicitNames.contains(cand));
      name = cand;
    }
    usedNames.add(name);
    if (opType.isEmpty()) {
      throw fail(where + "node '" + name + "' has no op_type");
    }
    Integer version = opsets.get(domain);
    if (version == null) {
      throw fail(where + "node '" + name + "' (" + opType + ") uses domain '" + domain
          + "' that the model does not import (opset imports: " + opsets + ")");
    }
    List<Value> inputs = new ArrayList<>(np.getInputCount());
    for (int i = 0; i < np.getInputCount(); i++) {
      String in = np.getInput(i);
      if (in.isEmpty()) {
        inputs.add(null);
        continue;
      }
      Value v = scope.resolve(in);
      if (v == null) {
        throw fail(where + "node '" + name + "' (" + opType + ") input " + i + " uses value '" + in
            + "' that no node, graph input or initializer defines");
      }
      inputs.add(v);
    }
    Set<String> seen = new HashSet<>();
    for (String out : np.getOutputList()) {
      if (!out.isEmpty() && !seen.add(out)) {
        throw fail(where + "node '" + name + "' lists output '" + out + "' twice");
      }
    }
    Attributes attrs = new Attributes();
    for (AttributeProto a : np.getAttributeList()) {
      String an = a.getName();
      if (an.isEmpty()) {
        throw fail(where + "node '" + name + "' has an attribute without a name");
      }
      if (attrs.has(an)) {
        throw fail(where + "node '" + name + "' has attribute '" + an + "' twice");
      }
      attrs.set(an, attribute(a, name, scope, where));
    }
    g.addNode(opType, domain, version, name, inputs, new ArrayList<>(np.getOutputList()), attrs);
  }

  private Object attribute(AttributeProto a, String node, Scope scope, String where) {
    String what = where + "node '" + node + "' attribute '" + a.getName() + "'";
    if (a.hasRefAttrName()) {
      throw fail(what + " refers to function attribute '" + a.getRefAttrName()
          + "'; such references are only valid inside a function body");
    }
    AttributeProto.AttributeType t = a.getType();
    if (t == AttributeProto.AttributeType.UNDEFINED) {
      t = guessType(a);
    }
    switch (t) {
      case FLOAT:
        return a.getF();
      case INT:
        return a.getI();
      case STRING:
        return a.getS().toStringUtf8();
      case TENSOR:
        return TensorCodec.decode(a.getT(), baseDir, source + ": " + what);
      case GRAPH:
        return buildGraph(a.getG(), scope, false);
      case FLOATS: {
        float[] r = new float[a.getFloatsCount()];
        for (int i = 0; i < r.length; i++) {
          r[i] = a.getFloats(i);
        }
        return r;
      }
      case INTS: {
        long[] r = new long[a.getIntsCount()];
        for (int i = 0; i < r.length; i++) {
          r[i] = a.getInts(i);
        }
        return r;
      }
      case STRINGS: {
        String[] r = new String[a.getStringsCount()];
        for (int i = 0; i < r.length; i++) {
          r[i] = a.getStrings(i).toStringUtf8();
        }
        return r;
      }
      case TENSORS: {
        TensorData[] r = new TensorData[a.getTensorsCount()];
        for (int i = 0; i < r.length; i++) {
          r[i] = TensorCodec.decode(a.getTensors(i), baseDir, source + ": " + what + " tensor " + i);
        }
        return r;
      }
      case GRAPHS: {
        Graph[] r = new Graph[a.getGraphsCount()];
        for (int i = 0; i < r.length; i++) {
          r[i] = buildGraph(a.getGraphs(i), scope, false);
        }
        return r;
      }
      case SPARSE_TENSOR: case SPARSE_TENSORS:
        throw new UnsupportedOperatorException(source + ": " + what + " is a sparse tensor; sparse tensors are not supported");
      default:
        throw fail(what + " has unknown attribute type " + t);
    }
  }

  /** IR version 1 attributes carry no type; the populated field tells it. */
  private static AttributeProto.AttributeType guessType(AttributeProto a) {
    if (a.hasF()) {
      return AttributeProto.AttributeType.FLOAT;
    } else if (a.hasI()) {
      return AttributeProto.AttributeType.INT;
    } else if (a.hasS()) {
      return AttributeProto.AttributeType.STRING;
    } else if (a.hasT()) {
      return AttributeProto.AttributeType.TENSOR;
    } else if (a.hasG()) {
      return AttributeProto.AttributeType.GRAPH;
    } else if (a.hasSparseTensor()) {
      return AttributeProto.AttributeType.SPARSE_TENSOR;
    } else if (a.getFloatsCount() > 0) {
      return AttributeProto.AttributeType.FLOATS;
    } else if (a.getStringsCount() > 0) {
      return AttributeProto.AttributeType.STRINGS;
    } else if (a.getTensorsCount() > 0) {
      return AttributeProto.AttributeType.TENSORS;
    } else if (a.getGraphsCount() > 0) {
      return AttributeProto.AttributeType.GRAPHS;
    } else if (a.getSparseTensorsCount() > 0) {
      return AttributeProto.AttributeType.SPARSE_TENSORS;
    }
    // an empty list of unknown kind; ints is what every such attribute in the ONNX operator set is
    return AttributeProto.AttributeType.INTS;
  }

  /** Records a declared type we cannot hold: sequences, maps, optionals, sparse tensors, unknown element types. */
  private void noteUnsupportedType(ValueInfoProto vi, String role) {
    if (!vi.hasType()) {
      return;
    }
    TypeProto tp = vi.getType();
    String kind = null;
    if (tp.hasTensorType()) {
      int code = tp.getTensorType().getElemType();
      if (code != 0 && DType.fromOnnx(code) == null) {
        kind = "element type code " + code;
      }
    } else {
      switch (tp.getValueCase()) {
        case SEQUENCE_TYPE: kind = "sequence"; break;
        case MAP_TYPE: kind = "map"; break;
        case SPARSE_TENSOR_TYPE: kind = "sparse tensor"; break;
        case OPAQUE_TYPE: kind = "opaque"; break;
        default: kind = "a non-tensor type (optional or newer)"; break;
      }
    }
    if (kind != null) {
      unsupportedTypes.add(role + " '" + vi.getName() + "' is " + kind);
    }
  }

  /** The tensor type a value-info declares, or null when it is not a tensor of a known element type. */
  private TensorType type(ValueInfoProto vi, String what) {
    if (!vi.hasType()) {
      return null;
    }
    TypeProto tp = vi.getType();
    if (!tp.hasTensorType()) {
      return null;
    }
    TypeProto.Tensor tt = tp.getTensorType();
    DType dt = DType.fromOnnx(tt.getElemType());
    if (dt == null) {
      return null;
    }
    if (!tt.hasShape()) {
      return new TensorType(dt, null);
    }
    TensorShapeProto sp = tt.getShape();
    long[] dims = new long[sp.getDimCount()];
    String[] symbols = new String[dims.length];
    boolean anySymbol = false;
    for (int i = 0; i < dims.length; i++) {
      TensorShapeProto.Dimension d = sp.getDim(i);
      if (d.hasDimValue()) {
        if (d.getDimValue() < 0) {
          throw fail(what + " has negative dimension " + d.getDimValue() + " at axis " + i);
        }
        dims[i] = d.getDimValue();
      } else {
        dims[i] = Shape.DYNAMIC;
        if (d.hasDimParam() && !d.getDimParam().isEmpty()) {
          symbols[i] = d.getDimParam();
          anySymbol = true;
        }
      }
    }
    return new TensorType(dt, Shape.withSymbols(dims, anySymbol ? symbols : null));
  }
}
