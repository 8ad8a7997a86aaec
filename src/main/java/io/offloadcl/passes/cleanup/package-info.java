/** Cleanup passes: remove nodes that compute nothing new (dead, identity-like, duplicated). */
package io.offloadcl.passes.cleanup;
