package io.offloadcl.ops;

import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.ShapeMismatchException;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import java.util.List;

/**
 * What shape inference for one node may look at: the node, its input types (null where unknown or omitted)
 * and the data of constant inputs (so Reshape's target shape or Slice's starts can be read when static).
 */
public final class InferenceContext {
  private final Node node;
  private final List<TensorType> inputTypes;
  private final List<TensorData> inputConstants;

  public InferenceContext(Node node, List<TensorType> inputTypes, List<TensorData> inputConstants) {
    this.node = node;
    this.inputTypes = inputTypes;
    this.inputConstants = inputConstants;
  }

  public Node node() {
    return node;
  }

  public Attributes attrs() {
    return node.attributes();
  }

  public int opset() {
    return node.opsetVersion();
  }

  public int numInputs() {
    return inputTypes.size();
  }

  public int numOutputs() {
    return node.outputs().size();
  }

  public boolean hasInput(int i) {
    return i < inputTypes.size() && node.input(i) != null;
  }

  /** Type of input i, or null when unknown or omitted. */
  public TensorType inputType(int i) {
    return i < inputTypes.size() ? inputTypes.get(i) : null;
  }

  /** Input i's data when it is a constant (after folding), else null. */
  public TensorData inputConstant(int i) {
    return i < inputConstants.size() ? inputConstants.get(i) : null;
  }

  /** Type of input i, failing with a message naming the node when it is absent. */
  public TensorType requireInput(int i) {
    if (!hasInput(i)) {
      throw error("input " + i + " is required but missing");
    }
    return inputType(i);
  }

  /** An error naming this node. */
  public ShapeMismatchException error(String what) {
    return new ShapeMismatchException("node '" + node.name() + "' (" + node.opType() + "): " + what);
  }
}
