/** Shared test utilities: the test-environment rule ({@link io.offloadcl.testing.Requirements}) and helpers. */
package io.offloadcl.testing;
