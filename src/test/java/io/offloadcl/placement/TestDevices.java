package io.offloadcl.placement;

import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.util.List;

/** Round-number devices and tiny graphs whose schedules can be worked out by hand. */
final class TestDevices {
  private TestDevices() {}

  /** Host-resident CPU: 1 GFLOP/s, 1 GB/s, no launch cost. */
  static DeviceProfile cpu(String id) {
    return DeviceProfile.builder(id, DeviceKind.CPU).hostResident().peakGflops(1).memoryBandwidthGBs(1)
        .launchOverheadUs(0).build();
  }

  /** Linked GPU: 100 GFLOP/s, 100 GB/s, a 1 GB/s link without latency, no launch cost. */
  static DeviceProfile gpu(String id) {
    return DeviceProfile.builder(id, DeviceKind.GPU).link(1, 0).peakGflops(100).memoryBandwidthGBs(100)
        .launchOverheadUs(0).build();
  }

  /** A [1000] float32 value: 4000 bytes; a unary op on it costs 1000 flops and 8000 bytes. */
  static final TensorType VEC = TensorType.of(DType.FLOAT32, 1000);

  static Node unary(Graph g, String op, String name, Value in) {
    Node n = g.addNode(op, name, List.of(in), List.of(name + "_out"), new Attributes());
    n.output(0).setType(in.type());
    return n;
  }

  static Node binary(Graph g, String op, String name, Value a, Value b) {
    Node n = g.addNode(op, name, List.of(a, b), List.of(name + "_out"), new Attributes());
    n.output(0).setType(a.type());
    return n;
  }
}
