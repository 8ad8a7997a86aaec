package io.offloadcl.api;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.awt.Color;
import java.awt.Rectangle;
import java.text.DecimalFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * Everything one {@code offloadcl bench} invocation measured, written as JSON and drawn as a bar chart (median
 * latency per model, OffloadCL beside ONNX Runtime, log scale because the models span three decades).
 */
public record BenchReport(String date, String device, int cores, int threads, String poclThreads,
    List<Bench.ModelResult> models, List<Bench.GemmResult> gemm, Bench.Bandwidth bandwidth,
    Double peakGflops, List<Bench.Profile> profiles) {

  /** Pretty-printed JSON of the report. */
  public String toJson() {
    Gson gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    return gson.toJson(this);
  }

  /** Writes the JSON to {@code file}. */
  public void writeJson(Path file) {
    try {
      Files.writeString(file, toJson() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The chart: one group of bars per model and device, one bar per engine. */
  public JFreeChart chart() {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (Bench.ModelResult m : models) {
      String cat = m.model() + " (" + m.device() + ")";
      if (m.offloadcl() != null) {
        ds.addValue(m.offloadcl().medianMs(), "OffloadCL", cat);
      }
      if (m.onnxRuntime() != null) {
        ds.addValue(m.onnxRuntime().medianMs(), "ONNX Runtime 1.28", cat);
      }
    }
    LogAxis range = new LogAxis("median latency (ms, log scale)");
    range.setSmallestValue(0.01);
    // one tick per decade, labelled with the value itself rather than 10^x
    range.setTickUnit(new NumberTickUnit(1));
    range.setNumberFormatOverride(new DecimalFormat("0.##"));
    CategoryAxis domain = new CategoryAxis();
    domain.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    BarRenderer r = new BarRenderer();
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setSeriesPaint(0, new Color(0x1f77b4));
    r.setSeriesPaint(1, new Color(0xff7f0e));
    CategoryPlot plot = new CategoryPlot(ds, domain, range, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(String.format(Locale.ROOT, "OffloadCL vs ONNX Runtime, %d thread(s), %s",
        threads, device), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Writes the chart as PNG or SVG, chosen by the file's extension. */
  public void writeChart(Path file) {
    JFreeChart chart = chart();
    int w = Math.max(800, 110 * Math.max(1, models.size()));
    int h = 560;
    String f = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      if (f.endsWith(".svg")) {
        SVGGraphics2D g = new SVGGraphics2D(w, h);
        chart.draw(g, new Rectangle(0, 0, w, h));
        Files.writeString(file, g.getSVGDocument(), StandardCharsets.UTF_8);
      } else if (f.endsWith(".png")) {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, w, h);
      } else {
        throw new IllegalArgumentException("chart file must end in .png or .svg: " + file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** A Markdown table of the model results (what docs/benchmarks.md quotes). */
  public String markdownTable() {
    List<String> rows = new ArrayList<>();
    rows.add("| model | device | OffloadCL median (min–max) ms | ORT median ms | ratio | open cold / warm ms |"
        + " first run cold / warm ms | kernels/run | device peak MB | heap peak MB |");
    rows.add("|---|---|---|---|---|---|---|---|---|---|");
    for (Bench.ModelResult m : models) {
      if (m.error() != null) {
        rows.add("| " + m.model() + " | " + m.device() + " | failed: `" + m.error().replace('|', '/').replace('\n', ' ')
            + "` | | | | | | | |");
        continue;
      }
      rows.add(String.format(Locale.ROOT, "| %s | %s | %.2f (%.2f–%.2f) | %s | %s | %.0f / %.0f | %.0f / %.0f | %s | %s | %.0f |",
          m.model(), m.device() + ranOnSuffix(m.ranOn()), m.offloadcl().medianMs(), m.offloadcl().minMs(), m.offloadcl().maxMs(),
          m.onnxRuntime() == null ? "–" : String.format(Locale.ROOT, "%.2f", m.onnxRuntime().medianMs()),
          m.ratio() == null ? "–" : String.format(Locale.ROOT, "%.2f", m.ratio()),
          m.openColdMs(), m.openWarmMs(), m.firstRunColdMs(), m.firstRunWarmMs(),
          m.kernelsPerRun() == null ? "–" : m.kernelsPerRun().toString(),
          m.devicePeakBytes() == null ? "–" : String.format(Locale.ROOT, "%.1f", m.devicePeakBytes() / 1e6),
          m.hostPeakBytes() / 1e6));
    }
    return String.join("\n", rows) + "\n";
  }

  /**
   * " (basic)" for a run on POCL's basic device, " (pthread)" on its pthread device: the driver prefix of an OpenCL
   * device name, or the whole name where it has none; empty for Java.
   */
  public static String ranOnSuffix(String ranOn) {
    if (ranOn == null || !ranOn.startsWith("opencl:")) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (String name : ranOn.substring("opencl:".length()).split(" \\+ ")) {
      int dash = name.indexOf('-');
      String prefix = dash > 0 ? name.substring(0, dash) : name;
      b.append(b.length() == 0 ? "" : " + ").append(prefix.chars().allMatch(Character::isLowerCase) ? prefix : name);
    }
    return " (" + b + ")";
  }
}
