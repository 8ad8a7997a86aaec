package io.offloadcl.runtime.opencl;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One OpenCL context and in-memory program cache per test class, on the device {@link OpenClTestSupport} finds
 * (a missing device skips, or fails under CI=true). Test classes extend it and use {@link #ctx} and
 * {@link #cache}.
 */
abstract class ClFixture {
  static ClContext ctx;
  static ProgramCache cache;

  @BeforeAll
  static void openContext() {
    ctx = ClContext.open(OpenClTestSupport.requireDevice());
    cache = new ProgramCache(ctx, null);
  }

  @AfterAll
  static void closeContext() {
    if (cache != null) {
      cache.close();
      ctx.close();
      cache = null;
      ctx = null;
    }
  }
}
