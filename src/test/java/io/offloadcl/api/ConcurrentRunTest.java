package io.offloadcl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One session, 8 threads × 200 runs over varied inputs: every result equals the single-threaded one exactly. */
class ConcurrentRunTest {
  static final int THREADS = 8;
  static final int RUNS = 200;
  static final int DISTINCT_INPUTS = 16;

  @Test
  void eightThreadsTimesTwoHundredRunsMatchSingleThreaded() throws Exception {
    check(SessionOptions.builder().device("java").build());
  }

  /** The check on any device (the OpenCL tier calls it too). */
  static void check(SessionOptions options) throws Exception {
    try (InferenceSession s = InferenceSession.open(DemoModel.onnxBytes(), options)) {
      List<Tensor> inputs = new ArrayList<>();
      List<Tensor> expected = new ArrayList<>();
      Random rnd = new Random(7);
      for (int i = 0; i < DISTINCT_INPUTS; i++) {
        float[] px = new float[28 * 28];
        for (int j = 0; j < px.length; j++) {
          px[j] = rnd.nextFloat();
        }
        Tensor in = Tensor.ofFloats(px, 1, 1, 28, 28);
        inputs.add(in);
        expected.add(s.run(Map.of(DemoModel.INPUT, in)).get(DemoModel.OUTPUT));
      }
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          final int thread = t;
          futures.add(pool.submit(() -> {
            start.await();
            int checked = 0;
            for (int r = 0; r < RUNS; r++) {
              int k = (thread * 31 + r * 7) % DISTINCT_INPUTS;
              Tensor got = s.run(Map.of(DemoModel.INPUT, inputs.get(k))).get(DemoModel.OUTPUT);
              if (!got.equals(expected.get(k))) {
                throw new AssertionError("thread " + thread + " run " + r + " input " + k + ": " + got + " != " + expected.get(k));
              }
              checked++;
            }
            return checked;
          }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : futures) {
          total += f.get(5, TimeUnit.MINUTES);
        }
        assertEquals(THREADS * RUNS, total);
      } finally {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
      }
      // distinct inputs really give distinct outputs, so the comparison above could catch a mix-up
      assertTrue(!expected.get(0).equals(expected.get(1)));
    }
  }
}
