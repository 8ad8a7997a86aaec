package io.offloadcl.api;

import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.OnnxImporter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A summary of an imported model: its inputs and outputs, how many nodes of each op type it has, its opset
 * imports and the size of its weights. Immutable.
 */
public final class ModelInfo {
  private final String graphName;
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private final Map<String, Integer> opCounts;
  private final Map<String, Integer> opsets;
  private final int nodeCount;
  private final int constantCount;
  private final long constantElements;

  private ModelInfo(Graph g) {
    this.graphName = g.name();
    List<TensorInfo> in = new ArrayList<>();
    for (Value v : g.inputs()) {
      in.add(new TensorInfo(v.name(), v.type()));
    }
    List<TensorInfo> out = new ArrayList<>();
    for (Value v : g.outputs()) {
      out.add(new TensorInfo(v.name(), v.type()));
    }
    this.inputs = Collections.unmodifiableList(in);
    this.outputs = Collections.unmodifiableList(out);
    Map<String, Integer> counts = new TreeMap<>();
    for (Node n : g.nodes()) {
      String key = n.domain().isEmpty() || n.domain().equals("ai.onnx") ? n.opType() : n.domain() + "." + n.opType();
      counts.merge(key, 1, Integer::sum);
    }
    this.opCounts = Collections.unmodifiableMap(counts);
    this.opsets = Collections.unmodifiableMap(new LinkedHashMap<>(g.opsetImports()));
    this.nodeCount = g.nodes().size();
    int c = 0;
    long e = 0;
    for (Value v : g.constants()) {
      c++;
      e += v.constant().size();
    }
    this.constantCount = c;
    this.constantElements = e;
  }

  static ModelInfo of(Graph g) {
    return new ModelInfo(g);
  }

  /**
   * Imports a model file and summarizes it without building an executor.
   *
   * @throws io.offloadcl.ir.ModelFormatException when the file is missing, malformed or truncated
   * @throws io.offloadcl.ir.UnsupportedOperatorException when it uses ops OffloadCL does not know
   */
  public static ModelInfo read(Path model) {
    return new ModelInfo(OnnxImporter.load(InferenceSession.existingFile(model)));
  }

  /** The graph's name. */
  public String graphName() {
    return graphName;
  }

  /** The model's inputs in declaration order. */
  public List<TensorInfo> inputs() {
    return inputs;
  }

  /** The model's outputs in declaration order. */
  public List<TensorInfo> outputs() {
    return outputs;
  }

  /** Number of nodes per op type (custom domains as "domain.Op"), sorted by op type. */
  public Map<String, Integer> opCounts() {
    return opCounts;
  }

  /** Opset imports: domain ("" for the default ONNX domain) to version. */
  public Map<String, Integer> opsets() {
    return opsets;
  }

  /** Total number of nodes. */
  public int nodeCount() {
    return nodeCount;
  }

  /** Number of constants (initializers). */
  public int constantCount() {
    return constantCount;
  }

  /** Total number of elements over all constants (the parameter count for most models). */
  public long constantElements() {
    return constantElements;
  }
}
