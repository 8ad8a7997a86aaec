package io.offloadcl.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.DeviceException;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The host side of transfers: Java direct buffers, and a typed error where one cannot hold a tensor. */
class HostTransferLimitTest {
  @Test
  void aTransferPastTwoGibibytesIsATypedErrorNamingTheTensor() {
    DeviceException e = assertThrows(DeviceException.class,
        () -> HostTransfer.direct(3L << 30, () -> "buffer slot 7 of graph 'g' ('big')"));
    assertTrue(e.getMessage().contains("buffer slot 7 of graph 'g' ('big')"), e.getMessage());
    assertTrue(e.getMessage().contains(String.valueOf(3L << 30)), e.getMessage());
    assertEquals(ByteOrder.nativeOrder(), HostTransfer.direct(16, () -> "small").order());
    assertEquals(16, HostTransfer.direct(16, () -> "small").capacity());
  }
}
