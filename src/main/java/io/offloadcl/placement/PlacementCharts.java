package io.offloadcl.placement;

import io.offloadcl.device.DeviceProfile;
import io.offloadcl.ir.GraphPrinter;
import io.offloadcl.ir.Node;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Pictures of placements: a Gantt chart of ops per device over time (with a row per host link for the
 * transfers), a DOT graph coloured by device, and the experiment plot of makespan per strategy per device
 * combination. Charts are written as SVG or PNG by the file's extension.
 */
public final class PlacementCharts {
  /** Device colours, in the order devices are given (colour-blind-safe Okabe–Ito palette). */
  private static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73),
      new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xD55E00), new Color(0xF0E442), new Color(0x999999)};
  private static final String[] DOT_COLOURS = {"#9ecae1", "#fdd0a2", "#a1d99b", "#fcc5c0", "#c6dbef", "#fdae6b",
      "#fff7bc", "#d9d9d9"};

  private PlacementCharts() {}

  /** The colour of the i-th device in charts. */
  public static Color colour(int i) {
    return PALETTE[i % PALETTE.length];
  }

  /** A Gantt chart: one row per device and per host link, time in milliseconds across. */
  public static JFreeChart gantt(Placement p) {
    List<DeviceProfile> devs = p.devices();
    List<String> rows = new ArrayList<>();
    Map<String, Integer> rowOf = new HashMap<>();
    for (DeviceProfile d : devs) {
      rowOf.put(d.id(), rows.size());
      rows.add(d.id());
    }
    for (DeviceProfile d : devs) {
      if (!d.hostResident()) {
        rowOf.put("link:" + d.id(), rows.size());
        rows.add("link " + d.id());
      }
    }
    XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
    Map<String, XYIntervalSeries> series = new LinkedHashMap<>();
    for (DeviceProfile d : devs) {
      series.put(d.id(), new XYIntervalSeries(d.id()));
    }
    XYIntervalSeries transfers = new XYIntervalSeries("transfers");
    for (Placement.OpSlot s : p.schedule()) {
      int r = rowOf.get(s.device());
      series.get(s.device()).add(r, r - 0.35, r + 0.35, s.startMs(), s.startMs(), s.endMs());
    }
    for (Placement.Transfer t : p.transfers()) {
      String link = "link:" + (t.from().equals("host") ? t.to() : t.from());
      Integer r = rowOf.get(link);
      if (r != null) {
        transfers.add(r, r - 0.25, r + 0.25, t.startMs(), t.startMs(), t.endMs());
      }
    }
    series.values().forEach(data::addSeries);
    data.addSeries(transfers);
    XYBarRenderer renderer = new XYBarRenderer();
    renderer.setUseYInterval(true);
    renderer.setShadowVisible(false);
    renderer.setBarPainter(new StandardXYBarPainter());
    renderer.setDrawBarOutline(true);
    renderer.setDefaultOutlinePaint(Color.WHITE);
    renderer.setDefaultOutlineStroke(new BasicStroke(0.3f));
    for (int i = 0; i < devs.size(); i++) {
      renderer.setSeriesPaint(i, colour(i));
    }
    renderer.setSeriesPaint(devs.size(), Color.DARK_GRAY);
    SymbolAxis rowAxis = new SymbolAxis("", rows.toArray(new String[0]));
    rowAxis.setGridBandsVisible(false);
    NumberAxis timeAxis = new NumberAxis("time (ms)");
    XYPlot plot = new XYPlot(data, rowAxis, timeAxis, renderer);
    plot.setOrientation(PlotOrientation.HORIZONTAL);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    String title = String.format(Locale.ROOT, "%s — %s: makespan %.3f ms, %s moved", p.graph().name(), p.strategy(),
        p.makespanMs(), bytes(p.bytesTransferred()));
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /**
   * Makespan per strategy (one marker series each) per device combination (one category each), on a log axis
   * since device combinations differ by orders of magnitude.
   *
   * @param makespanMs strategy → combination → makespan; missing entries (strategy could not place) are skipped
   */
  public static JFreeChart experiment(String title, Map<String, Map<String, Double>> makespanMs) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Map.Entry<String, Map<String, Double>> s : makespanMs.entrySet()) {
      for (Map.Entry<String, Double> c : s.getValue().entrySet()) {
        if (c.getValue() != null && c.getValue() > 0) {
          data.addValue(c.getValue(), s.getKey(), c.getKey());
        }
      }
    }
    LineAndShapeRenderer renderer = new LineAndShapeRenderer(false, true);
    for (int i = 0; i < makespanMs.size(); i++) {
      renderer.setSeriesPaint(i, colour(i));
    }
    CategoryAxis x = new CategoryAxis("device combination");
    x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    LogAxis y = new LogAxis("predicted makespan (ms)");
    y.setSmallestValue(1e-6);
    // ticks at powers of ten, labelled as plain numbers rather than exponents
    y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    y.setNumberFormatOverride(new DecimalFormat("0.######"));
    y.setMinorTickMarksVisible(true);
    CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Writes a chart as SVG ({@code .svg}) or PNG (anything else). */
  public static void save(JFreeChart chart, Path file, int width, int height) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (file.toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
      SVGGraphics2D g2 = new SVGGraphics2D(width, height);
      chart.draw(g2, new Rectangle(0, 0, width, height));
      Files.writeString(file, g2.getSVGDocument(), StandardCharsets.UTF_8);
    } else {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
    }
  }

  /** Graphviz DOT of the graph with each op filled in its device's colour, and a legend. */
  public static String dot(Placement p) {
    Map<String, String> colourOf = new HashMap<>();
    for (int i = 0; i < p.devices().size(); i++) {
      colourOf.put(p.devices().get(i).id(), DOT_COLOURS[i % DOT_COLOURS.length]);
    }
    String dot = GraphPrinter.toDot(p.graph(), (Node n) -> {
      DeviceProfile d = p.deviceOf(n);
      return d == null ? null : colourOf.get(d.id());
    });
    StringBuilder legend = new StringBuilder("  subgraph cluster_legend {\n    label=\"devices (" + p.strategy() + ")\";\n");
    for (DeviceProfile d : p.devices()) {
      legend.append("    \"legend:").append(d.id()).append("\" [label=\"").append(d.id())
          .append("\", fillcolor=\"").append(colourOf.get(d.id())).append("\"];\n");
    }
    legend.append("  }\n");
    int end = dot.lastIndexOf('}');
    return dot.substring(0, end) + legend + dot.substring(end);
  }

  private static String bytes(long b) {
    if (b >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
    }
    return b >= 1000 ? String.format(Locale.ROOT, "%.1f kB", b / 1e3) : b + " B";
  }
}
