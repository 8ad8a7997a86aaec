package io.offloadcl.onnx;

import io.offloadcl.ir.TensorData;

/** A tensor with the name it carries in a TensorProto ("" when unnamed). */
public record NamedTensor(String name, TensorData data) {}
