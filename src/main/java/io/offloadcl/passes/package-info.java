/** Graph passes: Pass, PassManager and the default pipeline; sub-packages cleanup, fold, fusion, lower. */
package io.offloadcl.passes;
