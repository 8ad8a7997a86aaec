package io.offloadcl.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link Graph} → ONNX ModelProto bytes (IR version 8); tests and the demo build their models in code with it.
 *
 * <p>Constants become initializers with {@code raw_data}; every value with a known type is declared (inputs,
 * outputs, {@code value_info} for the rest), so a re-import sees the same types before shape inference. The
 * opset imports are the graph's, {@code ""→17} when it has none, plus version 1 of any other domain a node
 * uses that the graph does not import.
 */
public final class OnnxWriter {
  /** The ONNX IR version written. */
  public static final long IR_VERSION = 8;
  /** The default-domain opset written for a graph without opset imports. */
  public static final int DEFAULT_OPSET = 17;

  private OnnxWriter() {}

  /** Serializes a graph as a complete ModelProto. */
  public static byte[] toBytes(Graph g) {
    return toModel(g).toByteArray();
  }

  /** Writes the model to {@code file} atomically (temp file in the same folder, then a move). */
  public static void write(Graph g, Path file) {
    try {
      OnnxTensors.writeAtomically(file, toBytes(g));
    } catch (IOException e) {
      throw new ModelFormatException(file + ": cannot write model: " + e, e);
    }
  }

  static ModelProto toModel(Graph g) {
    Map<String, Integer> opsets = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : g.opsetImports().entrySet()) {
      opsets.put(e.getKey().equals("ai.onnx") ? "" : e.getKey(), e.getValue());
    }
    if (opsets.isEmpty()) {
      opsets.put("", DEFAULT_OPSET);
    }
    collectDomains(g, opsets);
    ModelProto.Builder m = ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName("offloadcl")
        .setGraph(graph(g));
    for (Map.Entry<String, Integer> e : opsets.entrySet()) {
      m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(e.getKey()).setVersion(e.getValue()));
    }
    return m.build();
  }

  private static void collectDomains(Graph g, Map<String, Integer> opsets) {
    for (Node n : g.nodes()) {
      String d = n.domain().equals("ai.onnx") ? "" : n.domain();
      opsets.putIfAbsent(d, d.isEmpty() ? DEFAULT_OPSET : 1);
      for (Object v : n.attributes().asMap().values()) {
        if (v instanceof Graph) {
          collectDomains((Graph) v, opsets);
        } else if (v instanceof Graph[]) {
          for (Graph s : (Graph[]) v) {
            collectDomains(s, opsets);
          }
        }
      }
    }
  }

  private static GraphProto graph(Graph g) {
    GraphProto.Builder b = GraphProto.newBuilder().setName(g.name());
    for (Value c : g.constants()) {
      b.addInitializer(TensorCodec.encode(c.name(), c.constant()));
    }
    for (Value in : g.inputs()) {
      b.addInput(valueInfo(in));
    }
    for (Value out : g.outputs()) {
      b.addOutput(valueInfo(out));
    }
    for (Node n : g.nodes()) {
      b.addNode(node(n));
      for (Value o : n.outputs()) {
        if (o != null && o.type() != null && !g.isOutput(o)) {
          b.addValueInfo(valueInfo(o));
        }
      }
    }
    return b.build();
  }

  private static NodeProto node(Node n) {
    NodeProto.Builder b = NodeProto.newBuilder().setName(n.name()).setOpType(n.opType());
    if (!n.domain().isEmpty()) {
      b.setDomain(n.domain());
    }
    for (Value in : n.inputs()) {
      b.addInput(in == null ? "" : in.name());
    }
    for (Value out : n.outputs()) {
      b.addOutput(out == null ? "" : out.name());
    }
    for (Map.Entry<String, Object> e : n.attributes().asMap().entrySet()) {
      b.addAttribute(attribute(e.getKey(), e.getValue()));
    }
    return b.build();
  }

  private static AttributeProto attribute(String name, Object v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
    if (v instanceof Long) {
      a.setType(AttributeProto.AttributeType.INT).setI((Long) v);
    } else if (v instanceof Float) {
      a.setType(AttributeProto.AttributeType.FLOAT).setF((Float) v);
    } else if (v instanceof String) {
      a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFrom((String) v, StandardCharsets.UTF_8));
    } else if (v instanceof TensorData) {
      a.setType(AttributeProto.AttributeType.TENSOR).setT(TensorCodec.encode(null, (TensorData) v));
    } else if (v instanceof Graph) {
      a.setType(AttributeProto.AttributeType.GRAPH).setG(graph((Graph) v));
    } else if (v instanceof long[]) {
      a.setType(AttributeProto.AttributeType.INTS);
      for (long l : (long[]) v) {
        a.addInts(l);
      }
    } else if (v instanceof float[]) {
      a.setType(AttributeProto.AttributeType.FLOATS);
      for (float f : (float[]) v) {
        a.addFloats(f);
      }
    } else if (v instanceof String[]) {
      a.setType(AttributeProto.AttributeType.STRINGS);
      for (String s : (String[]) v) {
        a.addStrings(ByteString.copyFrom(s, StandardCharsets.UTF_8));
      }
    } else if (v instanceof TensorData[]) {
      a.setType(AttributeProto.AttributeType.TENSORS);
      for (TensorData t : (TensorData[]) v) {
        a.addTensors(TensorCodec.encode(null, t));
      }
    } else if (v instanceof Graph[]) {
      a.setType(AttributeProto.AttributeType.GRAPHS);
      for (Graph s : (Graph[]) v) {
        a.addGraphs(graph(s));
      }
    } else {
      // Attributes only admits the kinds above; reaching this means the IR grew a kind the writer lacks
      throw new IllegalStateException("attribute " + name + " has a value the writer cannot encode: " + v);
    }
    return a.build();
  }

  private static ValueInfoProto valueInfo(Value v) {
    ValueInfoProto.Builder b = ValueInfoProto.newBuilder().setName(v.name());
    TensorType t = v.type();
    if (t == null) {
      return b.build();
    }
    TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder().setElemType(t.dtype().onnxCode());
    Shape s = t.shape();
    if (s != null) {
      TensorShapeProto.Builder sb = TensorShapeProto.newBuilder();
      for (int i = 0; i < s.rank(); i++) {
        TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
        if (s.dim(i) >= 0) {
          d.setDimValue(s.dim(i));
        } else if (s.symbol(i) != null) {
          d.setDimParam(s.symbol(i));
        }
        sb.addDim(d);
      }
      tt.setShape(sb);
    }
    return b.setType(TypeProto.newBuilder().setTensorType(tt)).build();
  }
}
