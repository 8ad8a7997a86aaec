package io.offloadcl.quant;

import io.offloadcl.ir.DType;
import io.offloadcl.ir.Graph;
import io.offloadcl.ir.Shape;
import io.offloadcl.ir.TensorData;
import io.offloadcl.ir.TensorType;
import io.offloadcl.ir.Value;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Calibration and evaluation inputs made by the project, so no data set is downloaded: MNIST-like digits (white
 * on black, 28 × 28, values in [0, 1] as the shared models expect pixel / 255) drawn with the JDK's logical fonts
 * at random scales, rotations and offsets with Gaussian noise; and seeded random inputs for other models. The
 * same seed always gives the same inputs.
 */
public final class SyntheticInputs {
  private static final String[] FONTS = {Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED, Font.DIALOG, Font.DIALOG_INPUT};

  private SyntheticInputs() {}

  /** A rendered digit and its label. */
  public record Digit(int label, float[] pixels) {}

  /** {@code count} digits, labels cycling 0..9 from a seeded random start. */
  public static List<Digit> digits(int count, long seed) {
    Random r = new Random(seed);
    List<Digit> out = new ArrayList<>(count);
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < count; i++) {
      int label = r.nextInt(10);
      Graphics2D g = img.createGraphics();
      try {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(java.awt.Color.BLACK);
        g.fillRect(0, 0, 28, 28);
        int style = r.nextInt(3) == 0 ? Font.PLAIN : Font.BOLD;
        float size = 20f + 6f * r.nextFloat();
        Font f = new Font(FONTS[r.nextInt(FONTS.length)], style, 1).deriveFont(size);
        g.setFont(f);
        FontMetrics fm = g.getFontMetrics();
        String s = Integer.toString(label);
        double w = fm.stringWidth(s);
        double h = fm.getAscent() - fm.getDescent();
        AffineTransform at = new AffineTransform();
        at.translate(14 + 2.5 * r.nextGaussian() * 0.6, 14 + 2.5 * r.nextGaussian() * 0.6);
        at.rotate(Math.toRadians(12 * (2 * r.nextDouble() - 1)));
        double sx = 0.8 + 0.35 * r.nextDouble();
        at.scale(sx * (0.85 + 0.3 * r.nextDouble()), sx);
        g.setTransform(at);
        g.setColor(java.awt.Color.WHITE);
        g.drawString(s, (float) (-w / 2), (float) (h / 2));
      } finally {
        g.dispose();
      }
      float[] px = new float[28 * 28];
      double noise = 0.02 + 0.06 * r.nextDouble();
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          double v = (img.getRaster().getSample(x, y, 0) / 255.0) + noise * r.nextGaussian();
          px[y * 28 + x] = (float) Math.max(0, Math.min(1, v));
        }
      }
      out.add(new Digit(label, px));
    }
    return out;
  }

  /** True when the model takes one float image of 1 × 28 × 28 per batch element (the MNIST models). */
  public static boolean isMnistLike(Graph g) {
    List<Value> ins = realInputs(g);
    if (ins.size() != 1 || ins.get(0).type() == null || ins.get(0).type().dtype() != DType.FLOAT32) {
      return false;
    }
    Shape s = ins.get(0).type().shape();
    return s != null && s.rank() == 4 && s.dim(1) == 1 && s.dim(2) == 28 && s.dim(3) == 28;
  }

  /**
   * {@code count} input sets for the model with batch 1 (dynamic dims set to 1): digits for MNIST-like models,
   * else uniform [0, 1) floats, and integers in [0, 16) for integer inputs.
   */
  public static List<Map<String, TensorData>> forModel(Graph g, int count, long seed) {
    List<Map<String, TensorData>> r = new ArrayList<>(count);
    if (isMnistLike(g)) {
      String name = realInputs(g).get(0).name();
      for (Digit d : digits(count, seed)) {
        r.add(Map.of(name, TensorData.wrap(DType.FLOAT32, new long[] {1, 1, 28, 28}, d.pixels())));
      }
      return r;
    }
    Random rnd = new Random(seed);
    for (int i = 0; i < count; i++) {
      Map<String, TensorData> m = new LinkedHashMap<>();
      for (Value v : realInputs(g)) {
        TensorType t = v.type();
        if (t == null || t.shape() == null) {
          throw new CalibrationException("input '" + v.name() + "' of model '" + g.name()
              + "' has no known shape; cannot generate inputs for it");
        }
        long[] dims = new long[t.shape().rank()];
        for (int d = 0; d < dims.length; d++) {
          dims[d] = t.shape().dim(d) < 0 ? 1 : t.shape().dim(d);
        }
        TensorData data = TensorData.zeros(t.dtype(), dims);
        for (int j = 0; j < data.size(); j++) {
          if (t.dtype() == DType.FLOAT32 || t.dtype() == DType.FLOAT64) {
            data.setDouble(j, rnd.nextDouble());
          } else {
            data.setLong(j, rnd.nextInt(16));
          }
        }
        m.put(v.name(), data);
      }
      r.add(m);
    }
    return r;
  }

  private static List<Value> realInputs(Graph g) {
    List<Value> r = new ArrayList<>();
    for (Value v : g.inputs()) {
      if (!v.isConstant()) {
        r.add(v);
      }
    }
    return r;
  }
}
