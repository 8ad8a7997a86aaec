package io.offloadcl.runtime.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * One shared fork-join pool for the heavy reference kernels. The common pool has one worker fewer than there
 * are cores (it expects the caller to help), which on a two-core machine halves throughput, so the kernels use
 * their own pool sized to the core count, with daemon threads so it never keeps a JVM alive.
 */
final class NnParallel {
  private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()),
      pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setDaemon(true);
        t.setName("offloadcl-nn-" + t.getPoolIndex());
        return t;
      }, null, false);

  private NnParallel() {}

  static int threads() {
    return POOL.getParallelism();
  }

  /** Runs {@code body(i)} for i in [0, n), in parallel when n > 1; returns when all are done. */
  static void forEach(int n, IntConsumer body) {
    if (n <= 0) {
      return;
    }
    if (n == 1 || POOL.getParallelism() == 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    RecursiveAction all = new RecursiveAction() {
      @Override
      protected void compute() {
        List<ForkJoinTask<?>> tasks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          int idx = i;
          tasks.add(ForkJoinTask.adapt(() -> body.accept(idx)));
        }
        ForkJoinTask.invokeAll(tasks);
      }
    };
    if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == POOL) {
      all.invoke();
    } else {
      POOL.invoke(all);
    }
  }
}
