package io.offloadcl.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.offloadcl.ir.OffloadException;
import org.junit.jupiter.api.Test;

/** Template sections and the shared pieces they pull in with {@code //@use}. */
class TemplatesTest {
  @Test
  void aUseLineBecomesTheSharedSectionsText() {
    String madd = Templates.section("common.cl", "madd").stripTrailing();
    for (String[] s : new String[][] {{"gemm.cl", "gemm_cpu"}, {"conv.cl", "conv_shift_cpu"},
        {"conv.cl", "conv_pool_cpu"}}) {
      String body = Templates.section(s[0], s[1]);
      assertFalse(body.contains("//@use"), s[1]);
      assertTrue(body.contains(madd + "\n"), s[1] + " carries the fma/mad choice");
      assertEquals(body.indexOf("#ifndef OFFLOADCL_MADD"), body.lastIndexOf("#ifndef OFFLOADCL_MADD"), s[1]);
    }
  }

  @Test
  void anUnknownSectionIsNamed() {
    OffloadException e = assertThrows(OffloadException.class, () -> Templates.section("common.cl", "nope"));
    assertTrue(e.getMessage().contains("common.cl") && e.getMessage().contains("'nope'"), e.getMessage());
  }
}
