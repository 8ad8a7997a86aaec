package io.offloadcl.api;

/**
 * Where and by how much an output differed from the expected one.
 *
 * @param dataSet the {@code test_data_set_N} number
 * @param output the graph output's name
 * @param outputIndex its position ({@code output_K.pb})
 * @param reason what differed ("dtype", "shape" or "values"), with the details in {@link #toString()}
 * @param mismatches number of elements outside tolerance (values only)
 * @param elements number of elements compared
 * @param maxAbsError largest |actual - expected| over the compared elements
 * @param maxRelError largest |actual - expected| / |expected| over elements with a non-zero expected value
 * @param index flat (row-major) index of the worst element outside tolerance, -1 when not about values
 * @param expected the expected value there (or the expected type/shape as text in {@code detail})
 * @param actual the actual value there
 * @param detail a human-readable summary
 */
public record ConformanceMismatch(int dataSet, String output, int outputIndex, String reason, long mismatches,
    long elements, double maxAbsError, double maxRelError, long index, String expected, String actual,
    String detail) {

  @Override
  public String toString() {
    return detail;
  }
}
