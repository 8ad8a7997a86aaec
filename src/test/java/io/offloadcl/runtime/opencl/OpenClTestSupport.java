package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.InferenceSession;
import io.offloadcl.api.SessionOptions;
import io.offloadcl.api.Tensor;
import io.offloadcl.ir.TensorData;
import io.offloadcl.onnx.NamedTensor;
import io.offloadcl.onnx.OnnxTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Finds the device OpenCL tests run on: skips without one, except under CI=true where that is a failure. */
public final class OpenClTestSupport {
  private OpenClTestSupport() {}

  public static ClDevice requireDevice() {
    List<ClDevice> ds = OpenClPlatforms.devices();
    io.offloadcl.testing.Requirements.assumeOrFailInCi(!ds.isEmpty(),
        "an OpenCL device (" + OpenClPlatforms.unavailableReason() + ")");
    return ds.get(0);
  }

  /**
   * Opens an optimized OpenCL session on {@code dir/model.onnx}, runs its {@code test_data_set_0/input_0.pb}
   * (fed by the name stored in the file, else {@code inputName}) and compares the first output with
   * {@code output_0.pb} (rtol 1e-3, atol 1e-5).
   */
  static void assertOpenClSessionReproducesTestDataSet0(Path dir, String inputName) {
    Path data = dir.resolve("test_data_set_0");
    NamedTensor x = OnnxTensors.read(data.resolve("input_0.pb"));
    String name = x.name() != null && !x.name().isEmpty() ? x.name() : inputName;
    SessionOptions opts = SessionOptions.builder().device(SessionOptions.Device.OPENCL).optimize(true).build();
    try (InferenceSession s = InferenceSession.open(dir.resolve("model.onnx"), opts)) {
      Map<String, Tensor> got = s.run(Map.of(name, Tensor.fromData(x.data())));
      TensorData want = OnnxTensors.read(data.resolve("output_0.pb")).data();
      TensorData have = got.values().iterator().next().data();
      assertEquals(want.size(), have.size());
      for (int i = 0; i < want.size(); i++) {
        double w = want.getDouble(i);
        double h = have.getDouble(i);
        assertTrue(Math.abs(h - w) <= 1e-5 + 1e-3 * Math.abs(w), "output[" + i + "]: expected " + w + " got " + h);
      }
    }
  }

  /**
   * One device buffer per argument of {@code k} (a kernel generated for node {@code n}, whose output has dims
   * {@code out}), filled with seeded uniform values in [-0.5, 0.5): what the kernel benches time a kernel on. The
   * caller releases them.
   */
  static List<ClBuffer> randomArgBuffers(ClContext ctx, io.offloadcl.ir.Node n, io.offloadcl.codegen.KernelSource k,
      long[] out, long seed) {
    java.util.Random r = new java.util.Random(seed);
    List<ClBuffer> bufs = new java.util.ArrayList<>();
    for (io.offloadcl.codegen.KernelSource.Arg arg : k.args()) {
      long[] dims = arg.kind() == io.offloadcl.codegen.KernelSource.ArgKind.INPUT
          ? n.input(arg.index()).type().shape().dims() : out;
      long count = java.util.Arrays.stream(dims).reduce(1, (x, y) -> x * y);
      ClBuffer b = ctx.buffer(4 * count);
      bufs.add(b);
      java.nio.ByteBuffer host = java.nio.ByteBuffer.allocateDirect((int) (4 * count))
          .order(java.nio.ByteOrder.nativeOrder());
      for (long i = 0; i < count; i++) {
        host.putFloat(r.nextFloat() - 0.5f);
      }
      host.flip();
      ClEvent.waitAll(List.of(ctx.write(b, host, List.of())));
    }
    return bufs;
  }
}
