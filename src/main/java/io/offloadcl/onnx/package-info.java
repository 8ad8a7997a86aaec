/** ONNX import (ModelProto → ir.Graph), the ONNX writer used to build models in code, and TensorProto files. */
package io.offloadcl.onnx;
