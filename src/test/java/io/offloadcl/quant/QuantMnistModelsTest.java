package io.offloadcl.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.QuantRunner;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Node;
import io.offloadcl.ir.TensorData;
import io.offloadcl.onnx.OnnxImporter;
import io.offloadcl.runtime.cpu.ReferenceExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shared MNIST models quantized with each method: top-1 agreement with fp32 on generated digits. */
class QuantMnistModelsTest {
  static Path model(String name) {
    String shared = System.getenv("OFFLOADCL_SHARED");
    Path root = shared != null ? Path.of(shared) : Path.of("..", "shared");
    Path p = root.resolve("testdata/models").resolve(name).resolve("model.onnx");
    assertTrue(Files.isRegularFile(p), "missing shared model " + p);
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist-8-opt", "tribuo-cnn-mnist"})
  void entropyAgreesWithFp32OnGeneratedDigits(String name) {
    Graph fp32 = OnnxImporter.load(model(name));
    QuantRunner runner = new QuantRunner();
    List<Map<String, TensorData>> calib = SyntheticInputs.forModel(fp32, 100, 1);
    List<Map<String, TensorData>> eval = SyntheticInputs.forModel(fp32, 200, 2);
    Map<CalibrationMethod, CalibrationFile> files = new Calibrator(fp32, runner)
        .calibrate(calib, "generated", EnumSet.allOf(CalibrationMethod.class));
    StringBuilder sb = new StringBuilder(name);
    double entropyAgreement = 0;
    for (CalibrationMethod m : CalibrationMethod.values()) {
      Quantizer.Result q = Quantizer.rewrite(fp32, files.get(m));
      long qops = q.graph().nodes().stream().filter(n -> n.opType().startsWith("Q")).count();
      QuantEvaluation.Report r = QuantEvaluation.evaluate(fp32, q, m, eval, runner, () -> { });
      sb.append(String.format(" | %s agree %.3f maxAbs %.4f meanAbs %.5f", m.id(), r.agreement(), r.maxAbs(),
          r.meanAbs()));
      if (m == CalibrationMethod.ENTROPY) {
        entropyAgreement = r.agreement();
      }
      assertTrue(qops > 0);
    }
    Graph int8 = Quantizer.quantize(fp32, files.get(CalibrationMethod.ENTROPY));
    ReferenceExecutor a = new ReferenceExecutor(fp32);
    ReferenceExecutor b = new ReferenceExecutor(int8);
    double[] ms = new double[2];
    for (int round = 0; round < 3; round++) {
      long t0 = System.nanoTime();
      for (Map<String, TensorData> in : eval) {
        a.run(in);
      }
      long t1 = System.nanoTime();
      for (Map<String, TensorData> in : eval) {
        b.run(in);
      }
      long t2 = System.nanoTime();
      ms[0] = (t1 - t0) / 1e6 / eval.size();
      ms[1] = (t2 - t1) / 1e6 / eval.size();
    }
    sb.append(String.format("%n  Java reference per input: fp32 %.3f ms, int8 %.3f ms", ms[0], ms[1]));
    System.out.println(sb);
    for (Node n : int8.nodes()) {
      assertTrue(!n.opType().equals("DequantizeInt8"), "no dequantize inside " + name);
    }
    assertTrue(entropyAgreement >= 0.975, name + " entropy top-1 agreement " + entropyAgreement);
    assertEquals(name.equals("mnist-8-opt") ? 3 : 4, files.get(CalibrationMethod.ENTROPY).tensors().size());
  }
}
