package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.device.DeviceProfiles;
import io.offloadcl.ir.DeviceException;
import io.offloadcl.onnx.OnnxTensors;
import io.offloadcl.runtime.MultiDeviceExecutor;
import io.offloadcl.runtime.opencl.ClDevice;
import io.offloadcl.runtime.opencl.OpenClPlatforms;
import io.offloadcl.testing.Requirements;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An OpenCL session choosing, per input shape, between POCL's basic device (one core, a run wakes no thread) and
 * its pthread device (two cores). Runs in the pom's {@code basic-device} surefire execution, which sets
 * {@code POCL_DEVICES="pthread basic"}; the main execution excludes it.
 */
@Tag("opencl")
class BasicDeviceChoiceTest {
  private static final Path TRIBUO = Path.of("models", "tribuo-cnn-mnist");

  @AfterEach
  void unpin() {
    System.clearProperty(Backends.OPENCL_DEVICE);
  }

  private static ClDevice deviceWithProfile(String id) {
    for (ClDevice d : OpenClPlatforms.devices()) {
      if (Backends.profileOf(d) != null && Backends.profileOf(d).id().equals(id)) {
        return d;
      }
    }
    return null;
  }

  private static void requireBothDevices() {
    Requirements.assumeOrFailInCi(deviceWithProfile("pocl-cpu-basic") != null
        && deviceWithProfile("pocl-cpu") != null, "POCL's basic and pthread devices (POCL_DEVICES=\"pthread basic\")");
  }

  private static float[] tribuoInput() {
    return OnnxTensors.read(Requirements.sharedTestData(TRIBUO.resolve("test_data_set_0/input_0.pb").toString()))
        .data().toFloatArray();
  }

  private static float[] run(InferenceSession s, float[] image, int batch) {
    float[] x = new float[image.length * batch];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(image, 0, x, b * image.length, image.length);
    }
    Map<String, Tensor> out = s.run(Map.of("input_image", Tensor.ofFloats(x, batch, 1, 28, 28)));
    return out.values().iterator().next().toFloatArray();
  }

  @Test
  void theDefaultDeviceIsThePthreadOneAndTheBasicOneIsACandidate() {
    requireBothDevices();
    List<ClDevice> ds = Backends.openClDevices();
    assertEquals(deviceWithProfile("pocl-cpu"), ds.get(0), ds.toString());
    assertTrue(ds.contains(deviceWithProfile("pocl-cpu-basic")), ds.toString());
    assertEquals(deviceWithProfile("pocl-cpu"), OpenClPlatforms.defaultDevice());
  }

  @Test
  void batchOneRunsOnTheBasicDeviceAndBatch64OnThePthreadDeviceWithTheSameResults() {
    requireBothDevices();
    Path model = Requirements.sharedTestData(TRIBUO.resolve("model.onnx").toString());
    float[] image = tribuoInput();
    float[] want = OnnxTensors.read(Requirements.sharedTestData(TRIBUO.resolve("test_data_set_0/output_0.pb")
        .toString())).data().toFloatArray();
    try (InferenceSession s = InferenceSession.open(model,
        SessionOptions.builder().device(SessionOptions.Device.OPENCL).strict(true).build())) {
      float[] one = run(s, image, 1);
      assertTrue(s.device().contains("basic"), s.device());
      assertArrayEquals(want, one, 1e-4f);
      float[] many = run(s, image, 64);
      assertTrue(s.device().contains("basic") && s.device().contains("pthread"), s.device());
      for (int b = 0; b < 64; b++) {
        assertArrayEquals(one, java.util.Arrays.copyOfRange(many, b * one.length, (b + 1) * one.length), 1e-5f,
            "row " + b);
      }
    }
  }

  @Test
  void theSettingPinsOneDeviceAndABadValueIsNamed() {
    requireBothDevices();
    Path model = Requirements.sharedTestData(TRIBUO.resolve("model.onnx").toString());
    ClDevice pthread = deviceWithProfile("pocl-cpu");
    System.setProperty(Backends.OPENCL_DEVICE, Integer.toString(pthread.index()));
    try (InferenceSession s = InferenceSession.open(model,
        SessionOptions.builder().device(SessionOptions.Device.OPENCL).build())) {
      run(s, tribuoInput(), 1);
      assertEquals("opencl:" + pthread.name(), s.device());
    }
    System.setProperty(Backends.OPENCL_DEVICE, "-1");
    DeviceException range = assertThrows(DeviceException.class, () -> InferenceSession.open(model,
        SessionOptions.builder().device(SessionOptions.Device.OPENCL).build()));
    assertTrue(range.getMessage().contains("offloadcl.opencl.device") && range.getMessage().contains("-1"),
        range.getMessage());
    System.setProperty(Backends.OPENCL_DEVICE, "fast");
    DeviceException e = assertThrows(DeviceException.class, () -> InferenceSession.open(model,
        SessionOptions.builder().device(SessionOptions.Device.OPENCL).build()));
    assertTrue(e.getMessage().contains("offloadcl.opencl.device") && e.getMessage().contains("'fast'"),
        e.getMessage());
  }

  @Test
  void aProfileBindsToTheDeviceItDescribes() {
    requireBothDevices();
    List<MultiDeviceExecutor.Binding> b = MultiDeviceExecutor.bind(List.of(DeviceProfiles.bundled("pocl-cpu"),
        DeviceProfiles.bundled("pocl-cpu-basic")));
    assertEquals(deviceWithProfile("pocl-cpu"), b.get(0).device());
    assertEquals(deviceWithProfile("pocl-cpu-basic"), b.get(1).device());
    // a second pocl-cpu does not take the basic device, which its own profile describes better
    DeviceException e = assertThrows(DeviceException.class, () -> MultiDeviceExecutor.bind(
        MultiDeviceExecutor.distinctIds(List.of(DeviceProfiles.bundled("pocl-cpu"), DeviceProfiles.bundled("pocl-cpu")))));
    assertTrue(e.getMessage().contains("pocl-cpu#2"), e.getMessage());
  }
}
