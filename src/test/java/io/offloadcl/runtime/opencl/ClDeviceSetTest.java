package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.device.DeviceKind;
import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device set's rules that need no OpenCL: profiles, kernel families and the fallback of the choice. */
class ClDeviceSetTest {
  private static ClDevice device(int index, String name, ClDevice.Type type) {
    return new ClDevice(null, null, index, "Some Platform", name, "vendor", type, 4, 1L << 30, 1 << 16, 1024,
        "OpenCL C 1.2", "1.0", "OpenCL 3.0", true);
  }

  private static DeviceProfile profile(String id, long memoryBytes) {
    return DeviceProfile.builder(id, DeviceKind.CPU).link(10, 5).sharedMemory(true).peakGflops(10)
        .memoryBandwidthGBs(10).launchOverheadUs(1).memoryCapacityBytes(memoryBytes).build();
  }

  private static Graph relu(long elements) {
    Graph g = new Graph("relu");
    TensorType t = TensorType.of(DType.FLOAT32, elements);
    Node n = g.addNode("Relu", "r", List.of(g.addInput("x", t)), List.of("y"), new Attributes());
    n.output(0).setType(t);
    g.addOutput(n.output(0));
    return g;
  }

  @Test
  void aLoneDeviceWithoutAProfileTakesItsKernelFamilyFromItsType() {
    try (ClDeviceSet s = ClDeviceSet.choosing(List.of(device(0, "gpu", ClDevice.Type.GPU)),
        Arrays.asList((DeviceProfile) null), null, null)) {
      assertEquals(DeviceClass.GPU, s.deviceClass(0));
      assertEquals(0, s.choose(relu(8)));
    }
    assertThrows(IllegalArgumentException.class, () -> ClDeviceSet.choosing(
        List.of(device(0, "a", ClDevice.Type.CPU), device(1, "b", ClDevice.Type.CPU)),
        Arrays.asList(profile("a", 1L << 30), null), null, null));
  }

  @Test
  void aGraphThePlacerCannotPlaceGoesToTheFirstDevice() {
    List<ClDevice> ds = List.of(device(0, "a", ClDevice.Type.CPU), device(1, "b", ClDevice.Type.CPU));
    // both profiles hold 1 KiB: a 1M-element graph fits neither, the placer refuses, the first device runs it
    try (ClDeviceSet s = ClDeviceSet.choosing(ds, List.of(profile("a", 1024), profile("b", 1024)), null, null)) {
      assertEquals(0, s.choose(relu(1 << 20)));
    }
    // where it fits, the faster device wins: b has ten times the compute and bandwidth
    DeviceProfile fast = DeviceProfile.builder("b", DeviceKind.CPU).link(10, 5).sharedMemory(true).peakGflops(100)
        .memoryBandwidthGBs(100).launchOverheadUs(1).memoryCapacityBytes(1L << 30).build();
    try (ClDeviceSet s = ClDeviceSet.choosing(ds, List.of(profile("a", 1L << 30), fast), null, null)) {
      assertEquals(1, s.choose(relu(1 << 20)));
    }
  }
}
