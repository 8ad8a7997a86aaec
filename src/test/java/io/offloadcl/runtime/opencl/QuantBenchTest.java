package io.offloadcl.runtime.opencl;

import static io.offloadcl.testing.Timing.alternate;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.InferenceSession;
import io.offloadcl.api.QuantRunner;
import io.offloadcl.api.SessionOptions;
import io.offloadcl.api.Tensor;
import io.offloadcl.codegen.DeviceClass;
import io.offloadcl.codegen.KernelGenerator;
import io.offloadcl.codegen.KernelSource;
import io.offloadcl.ir.Attributes;
import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.Value;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.ops.ShapeInference;
import io.offloadcl.quant.CalibrationFile;
import io.offloadcl.quant.CalibrationMethod;
import io.offloadcl.quant.Calibrator;
import io.offloadcl.quant.SyntheticInputs;
import io.offloadcl.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * INT8 vs FP32 on the OpenCL device, same run, interleaved, medians: (a) single kernels (the generated Conv and
 * MatMul kernels against QConvInt8 and QGemmInt8 on the same shapes, device time of one launch, no transfers),
 * (b) whole models, fp32 (optimized) against {@code --int8}, per inference including transfers. Prints a
 * table; excluded from the default test run (tag "bench"):
 * {@code mvn -o test -Dtest=QuantBenchTest -Dsurefire.excludedGroups=}.
 */
@Tag("bench")
@Tag("opencl")
class QuantBenchTest {
  private final Random rnd = new Random(5);
  private final List<String> rows = new ArrayList<>();

  @TempDir
  Path tmp;

  /** One node's generated kernel with every buffer allocated and filled: launch() runs it once. */
  private final class Launch implements AutoCloseable {
    final ClKernel kernel;
    final KernelSource ks;
    final List<ClBuffer> buffers = new ArrayList<>();
    final ClContext ctx;

    Launch(Node n, ClContext ctx, ProgramCache cache) {
      this.ctx = ctx;
      ks = new KernelGenerator(DeviceClass.CPU).generate(n, "bench_" + n.opType() + "_" + n.name());
      kernel = cache.get(ks.source(), ks.buildOptions()).kernel(ks.name());
      int i = 0;
      for (KernelSource.Arg a : ks.args()) {
        Value v = a.kind() == KernelSource.ArgKind.INPUT ? n.input(a.index()) : n.output(a.index());
        TensorData d = v.isConstant() ? v.constant() : random(v.type().dtype(), v.type().shape().dims());
        ClBuffer b = ctx.buffer(Math.max(4L, (long) d.size() * HostTransfer.deviceBytes(d.dtype())));
        try (ClEvent e = ctx.write(b, HostTransfer.toDevice(d), null)) {
          ClEvent.waitAll(List.of(e));
        }
        buffers.add(b);
        kernel.setArg(i++, b);
      }
    }

    void launch() {
      try (ClEvent e = ctx.launch(kernel, ks.globalSize(), ks.localSize(), null)) {
        ClEvent.waitAll(List.of(e));
      }
    }

    @Override
    public void close() {
      kernel.close();
      buffers.forEach(ClBuffer::close);
    }
  }

  private TensorData random(DType t, long... dims) {
    TensorData d = TensorData.zeros(t, dims);
    for (int i = 0; i < d.size(); i++) {
      switch (t) {
        case INT8 -> d.setLong(i, rnd.nextInt(255) - 127);
        case INT32 -> d.setLong(i, rnd.nextInt(2001) - 1000);
        default -> d.setDouble(i, rnd.nextDouble() * 2 - 1);
      }
    }
    return d;
  }

  private static Node node(Graph g, String op, String domain, Attributes at, long[] out, DType outType,
      Value... ins) {
    Node n = g.addNode(op, domain, domain.isEmpty() ? 17 : 1, g.freshNodeName(op), Arrays.asList(ins),
        List.of(g.freshValueName(op + "_y")), at);
    ShapeInference.run(g);
    assertTrue(Arrays.equals(out, n.output(0).type().shape().dims()) && n.output(0).type().dtype() == outType,
        op + " " + n.output(0).type());
    return n;
  }

  private static Graph graph() {
    Graph g = new Graph("bench");
    g.opsetImports().put("", 17);
    return g;
  }

  /** fp32 Conv (with bias) and QConvInt8 (bias, int8 output) on the same shape. */
  private Node[] conv(long ci, long co, long hw, long k) {
    long p = k / 2;
    Attributes at = new Attributes().setInts("pads", p, p, p, p).setInts("kernel_shape", k, k);
    long[] y = {1, co, hw, hw};
    Graph f = graph();
    Node fp = node(f, "Conv", "", at, y, DType.FLOAT32,
        f.addInput("x", io.offloadcl.ir.TensorType.of(DType.FLOAT32, 1, ci, hw, hw)),
        f.addConstant("w", random(DType.FLOAT32, co, ci, k, k)), f.addConstant("b", random(DType.FLOAT32, co)));
    Graph q = graph();
    float[] mul = new float[(int) co];
    Arrays.fill(mul, 1e-4f);
    Node qn = node(q, "QConvInt8", "offloadcl", new Attributes(at).setInt("to", 3), y, DType.INT8,
        q.addInput("x", io.offloadcl.ir.TensorType.of(DType.INT8, 1, ci, hw, hw)),
        q.addConstant("w", random(DType.INT8, co, ci, k, k)), q.addConstant("b", random(DType.INT32, co)),
        q.addConstant("m", TensorData.wrap(DType.FLOAT32, new long[] {co}, mul)));
    return new Node[] {fp, qn};
  }

  /** fp32 MatMul (B as [K, N], the layout its kernel reads best) and QGemmInt8 (W as [N, K]), float output. */
  private Node[] gemm(long m, long k, long n) {
    long[] y = {m, n};
    Graph f = graph();
    Node fp = node(f, "MatMul", "", new Attributes(), y, DType.FLOAT32,
        f.addInput("a", io.offloadcl.ir.TensorType.of(DType.FLOAT32, m, k)),
        f.addConstant("b", random(DType.FLOAT32, k, n)));
    Graph q = graph();
    float[] mul = new float[(int) n];
    Arrays.fill(mul, 1e-4f);
    Node qn = node(q, "QGemmInt8", "offloadcl", new Attributes().setInt("to", 1), y, DType.FLOAT32,
        q.addInput("a", io.offloadcl.ir.TensorType.of(DType.INT8, m, k)),
        q.addConstant("w", random(DType.INT8, n, k)), q.addConstant("b", random(DType.INT32, n)),
        q.addConstant("m", TensorData.wrap(DType.FLOAT32, new long[] {n}, mul)));
    return new Node[] {fp, qn};
  }

  private void kernels(String label, Node[] pair, int runs, ClContext ctx, ProgramCache cache) {
    try (Launch f = new Launch(pair[0], ctx, cache); Launch q = new Launch(pair[1], ctx, cache)) {
      double[] ms = alternate(runs, List.of(f::launch, q::launch));
      rows.add(String.format("%-40s %10.3f %10.3f %7.2fx", label, ms[0], ms[1], ms[0] / ms[1]));
    }
  }

  private void model(String name, int runs) {
    Path onnx = Requirements.sharedDir().resolve("testdata/models").resolve(name).resolve("model.onnx");
    Requirements.assumeOrFailInCi(Files.isRegularFile(onnx), "shared model " + onnx);
    Graph fp32 = OnnxImporter.load(onnx);
    CalibrationFile c = new Calibrator(fp32, new QuantRunner())
        .calibrate(SyntheticInputs.forModel(fp32, 20, 1), "generated", EnumSet.of(CalibrationMethod.ENTROPY))
        .get(CalibrationMethod.ENTROPY);
    Path file = tmp.resolve(name + ".json");
    c.save(file);
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    SyntheticInputs.forModel(fp32, 1, 3).get(0).forEach((k, v) -> feeds.put(k, Tensor.fromData(v)));
    SessionOptions.Builder b = SessionOptions.builder().device(SessionOptions.Device.OPENCL).strict(true);
    try (InferenceSession f = InferenceSession.open(onnx, b.build());
        InferenceSession q = InferenceSession.open(onnx, b.int8(file).build())) {
      double[] ms = alternate(runs, List.of(() -> f.run(feeds), () -> q.run(feeds)));
      rows.add(String.format("%-40s %10.3f %10.3f %7.2fx", "model " + name + " (per inference)", ms[0], ms[1],
          ms[0] / ms[1]));
    }
  }

  @Test
  void int8VersusFp32() {
    ClDevice d = OpenClTestSupport.requireDevice();
    try (ClContext ctx = ClContext.open(d); ProgramCache cache = new ProgramCache(ctx, null)) {
      kernels("Conv 1x64x56x56 3x3 64->64", conv(64, 64, 56, 3), 15, ctx, cache);
      kernels("Conv 1x256x56x56 1x1 256->64", conv(256, 64, 56, 1), 15, ctx, cache);
      kernels("Gemm 512x512x512", gemm(512, 512, 512), 15, ctx, cache);
      kernels("Gemm 1024x1024x1024", gemm(1024, 1024, 1024), 7, ctx, cache);
      kernels("Gemm 1x784 -> 512", gemm(1, 784, 512), 51, ctx, cache);
    }
    model("mnist-8-opt", 51);
    model("tribuo-cnn-mnist", 51);
    System.out.println(String.format("INT8 vs FP32 on %s (median ms, interleaved)%n%-40s %10s %10s %8s%n", d.name(),
        "case", "fp32", "int8", "speedup") + String.join("\n", rows));
  }
}
