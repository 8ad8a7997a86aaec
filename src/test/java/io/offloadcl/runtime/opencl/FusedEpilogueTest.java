package io.offloadcl.runtime.opencl;

import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.codegen.Epilogue;
import io.offloadcl.codegen.KernelGenerator;
import io.offloadcl.codegen.KernelSource;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Conv + bias + Relu + residual add as one kernel through the epilogue slot, on the direct, the CPU-blocked
 * and the GEMM-lowered convolution: the numbers fusion will rely on.
 */
@Tag("opencl")
class FusedEpilogueTest {
  @Test
  void convWithReluAndResidualEpilogue() {
    ClDevice d = OpenClTestSupport.requireDevice();
    OpGraph g = new OpGraph(12);
    // {ci, co, k, group}: 1x1 (gemm), 3x3 co%8==0 (conv_cpu), 3x3 depthwise-ish co%8!=0 (conv_direct)
    int[][] cases = {{4, 8, 1, 1}, {3, 16, 3, 1}, {6, 3, 3, 3}};
    List<Object[]> runs = new ArrayList<>();
    for (int[] c : cases) {
      long hw = 7;
      Value x = g.input(1, c[0], hw, hw);
      Value w = g.input(c[1], c[0] / c[3], c[2], c[2]);
      Value b = g.input(c[1]);
      Value res = g.input(1, c[1], hw, hw);
      long p = c[2] / 2;
      long[] out = {1, c[1], hw, hw};
      Value y = g.node("Conv", new Attributes().setInts("pads", p, p, p, p).setInt("group", c[3]), out, x, w, b, res);
      TensorData conv = Ref.conv(g.feedOf(x), g.feedOf(w), g.feedOf(b), out, c[3], new int[] {1, 1},
          new int[] {1, 1}, new int[] {(int) p, (int) p});
      TensorData want = Ref.binary(Ref.unary(conv, v -> Math.max(0, v)), g.feedOf(res), out, Double::sum);
      Epilogue epi = new Epilogue("fmax((v), 0.0f)", List.of())
          .then(new Epilogue("((v) + ep0[((n) * " + c[1] + " + (c)) * " + (hw * hw) + " + (p)])", List.of(3)));
      runs.add(new Object[] {y, want, epi});
      g.expected.put(y.name(), want);
    }
    Map<String, TensorData> got = new LinkedHashMap<>();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null)) {
      for (Object[] r : runs) {
        Value y = (Value) r[0];
        Node n = y.producer();
        KernelSource ks = new KernelGenerator(DeviceClass.CPU).generate(n, "fused", (Epilogue) r[2]);
        got.put(y.name(), launch(ctx, cache, ks, n, g));
      }
    }
    g.check(got, 1e-4, 1e-4, false); // the fused result is no single op's, so loops only
  }

  /** Runs one kernel on the node's fed inputs and reads its output 0. */
  static TensorData launch(ClContext ctx, ProgramCache cache, KernelSource ks, Node n, OpGraph g) {
    List<ClBuffer> bufs = new ArrayList<>();
    List<ClEvent> evs = new ArrayList<>();
    try (ClKernel k = cache.get(ks.source(), ks.buildOptions()).kernel(ks.name())) {
      ClBuffer outBuf = null;
      long[] outDims = n.output(0).type().shape().dims();
      for (int a = 0; a < ks.args().size(); a++) {
        KernelSource.Arg arg = ks.args().get(a);
        ClBuffer b;
        if (arg.kind() == KernelSource.ArgKind.INPUT) {
          TensorData t = g.feedOf(n.input(arg.index()));
          b = ctx.buffer(4L * t.size());
          evs.add(ctx.write(b, HostTransfer.toDevice(t), null));
        } else {
          b = ctx.buffer(4L * TensorData.zeros(DType.FLOAT32, outDims).size());
          outBuf = b;
        }
        bufs.add(b);
        k.setArg(a, b);
      }
      ClEvent run = ctx.launch(k, ks.globalSize(), ks.localSize(), new ArrayList<>(evs));
      evs.add(run);
      ByteBuffer host = HostTransfer.hostBuffer(DType.FLOAT32, (int) outBuf.bytes() / 4);
      ClEvent read = ctx.read(outBuf, host, List.of(run));
      evs.add(read);
      ClEvent.waitAll(evs);
      return HostTransfer.fromDevice(host, DType.FLOAT32, outDims);
    } finally {
      evs.forEach(ClEvent::close);
      bufs.forEach(ClBuffer::close);
    }
  }
}
