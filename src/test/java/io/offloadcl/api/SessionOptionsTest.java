package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.api.SessionOptions.Device;
import org.junit.jupiter.api.Test;

class SessionOptionsTest {
  @Test
  void defaults() {
    SessionOptions d = SessionOptions.defaults();
    assertEquals(Device.AUTO, d.device());
    assertTrue(d.optimize());
    assertFalse(d.strict());
    assertEquals(0, d.threads());
    assertFalse(d.verbose());
  }

  @Test
  void builderSetsEveryFieldAndToBuilderKeepsThem() {
    SessionOptions o = SessionOptions.builder().device("OpenCL").optimize(false).strict(true).threads(4).verbose(true).build();
    assertEquals(Device.OPENCL, o.device());
    assertFalse(o.optimize());
    assertTrue(o.strict());
    assertEquals(4, o.threads());
    assertTrue(o.verbose());
    SessionOptions p = o.toBuilder().device(Device.JAVA).build();
    assertEquals(Device.JAVA, p.device());
    assertTrue(p.strict());
    assertEquals(4, p.threads());
    assertEquals("java", p.device().label());
  }

  @Test
  void badValuesAreRejectedWithTheValueInTheMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionOptions.builder().device("gpu"));
    assertTrue(e.getMessage().contains("gpu") && e.getMessage().contains("java, opencl or auto"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SessionOptions.builder().threads(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }
}
