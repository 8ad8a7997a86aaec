package io.offloadcl.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.ModelFormatException;
import io.offloadcl.ir.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorProto files: write → read round trips, the ONNX suite's own files, and typed errors naming the file. */
class OnnxTensorsTest {

  @Test
  void roundTripsEveryDType(@TempDir Path dir) throws Exception {
    List<TensorData> all = OnnxRoundTripTest.everyDType();
    for (int i = 0; i < all.size(); i++) {
      Path f = dir.resolve("t" + i + ".pb");
      OnnxTensors.write(f, "name" + i, all.get(i));
      NamedTensor back = OnnxTensors.read(f);
      assertEquals("name" + i, back.name());
      assertTrue(all.get(i).contentEquals(back.data()), all.get(i) + " came back as " + back.data());
    }
    // overwriting replaces the file and leaves no temp file behind
    OnnxTensors.write(dir.resolve("t0.pb"), "again", TensorData.scalarLong(5));
    assertEquals(5L, OnnxTensors.read(dir.resolve("t0.pb")).data().longs()[0]);
    try (var s = Files.list(dir)) {
      assertEquals(all.size(), s.count());
    }
  }

  @Test
  void readsTheOnnxSuiteFiles() {
    Path add = TestPaths.nodeTests().resolve("test_add/test_data_set_0");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(add) || TestPaths.ci(), "suite not installed");
    NamedTensor x = OnnxTensors.read(add.resolve("input_0.pb"));
    assertEquals("x", x.name());
    assertEquals(DType.FLOAT32, x.data().dtype());
    assertEquals(List.of(3L, 4L, 5L), java.util.Arrays.stream(x.data().dims()).boxed().collect(java.util.stream.Collectors.toList()));
  }

  @Test
  void errorsNameTheFile(@TempDir Path dir) throws Exception {
    ModelFormatException missing = assertThrows(ModelFormatException.class, () -> OnnxTensors.read(dir.resolve("input_9.pb")));
    assertTrue(missing.getMessage().contains("input_9.pb") && missing.getMessage().contains("not found"), missing.getMessage());
    Path junk = dir.resolve("output_0.pb");
    Files.write(junk, new byte[] {(byte) 0xFF, (byte) 0xFF, 0x00});
    ModelFormatException bad = assertThrows(ModelFormatException.class, () -> OnnxTensors.read(junk));
    assertTrue(bad.getMessage().contains("output_0.pb"), bad.getMessage());
    Path empty = dir.resolve("empty.pb");
    Files.write(empty, new byte[0]);
    ModelFormatException none = assertThrows(ModelFormatException.class, () -> OnnxTensors.read(empty));
    assertTrue(none.getMessage().contains("empty.pb") && none.getMessage().contains("data_type"), none.getMessage());
    Path wrongLen = dir.resolve("short.pb");
    byte[] full = TensorCodec.encode("t", TensorData.ofFloats(new long[] {4}, 1, 2, 3, 4)).toBuilder()
        .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[5])).build().toByteArray();
    Files.write(wrongLen, full);
    ModelFormatException len = assertThrows(ModelFormatException.class, () -> OnnxTensors.read(wrongLen));
    assertTrue(len.getMessage().contains("short.pb") && len.getMessage().contains("raw_data has 5 bytes"), len.getMessage());
  }

  @Test
  void halfPrecisionConversionsRoundToNearestEven() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = TensorCodec.halfToFloat(bits);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(TensorCodec.halfToFloat(TensorCodec.floatToHalf(f))));
      } else {
        assertEquals(bits, TensorCodec.floatToHalf(f), "half 0x" + Integer.toHexString(bits) + " = " + f);
      }
    }
    // 1 + 2^-11 lies half-way between two halves: ties go to the even one (1.0)
    assertEquals(0x3C00, TensorCodec.floatToHalf(1f + 0x1p-11f));
    assertEquals(0x3C01, TensorCodec.floatToHalf(1f + 0x1.8p-11f));
    assertEquals(0x7C00, TensorCodec.floatToHalf(70000f));
    assertEquals(0x3F80, TensorCodec.floatToBfloat16(1f));
    assertEquals(0x3F80, TensorCodec.floatToBfloat16(1f + 0x1p-8f), "tie to even");
    assertEquals(0x3F81, TensorCodec.floatToBfloat16(1f + 0x1.8p-8f));
  }
}
