package io.kvstore.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws the per-second timeline as a self-contained HTML page with inline SVG (no scripts, no
 * external fonts or styles): throughput and errors on top, p50 and p99 latency below, and a
 * vertical mark where a node was killed.
 */
final class Chart {
  private static final int WIDTH = 900;
  private static final int PANEL_HEIGHT = 220;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 30;
  private static final int BOTTOM = 30;

  private Chart() {}

  /** The chart's path for a JSON path: {@code out.json} gives {@code out.html}. */
  static Path pathFor(Path json) {
    String name = json.getFileName().toString();
    String base =
        name.toLowerCase(Locale.ROOT).endsWith(".json")
            ? name.substring(0, name.length() - 5)
            : name;
    return json.resolveSibling(base + ".html");
  }

  /** Writes the page. */
  static void write(Path file, String title, Recorder.Summary sum) throws IOException {
    Files.writeString(file, html(title, sum), StandardCharsets.UTF_8);
  }

  /** The page's text. */
  static String html(String title, Recorder.Summary sum) {
    List<Recorder.Second> t = sum.timeline();
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title))
        .append("</title></head>\n<body style=\"font-family:sans-serif\">\n<h3>")
        .append(escape(title))
        .append("</h3>\n");
    b.append(
        String.format(
            Locale.ROOT,
            "<p>%.0f ops/s over %.1f s, %d errors%s</p>%n",
            sum.opsPerSecond(),
            sum.measuredNanos() / 1e9,
            sum.errors(),
            sum.availability() == null
                ? ""
                : String.format(
                    Locale.ROOT,
                    "; availability after the kill %.3f%%, longest gap %.1f ms",
                    sum.availability().percent(),
                    sum.availability().longestGapNanos() / 1e6)));
    panel(
        b,
        t,
        sum.availability(),
        "throughput (ops/s) and errors per second",
        new Series[] {new Series("ops/s", "#1f77b4", Recorder.Second::opsPerSecond)},
        new Series("errors", "#d62728", s -> (double) s.errors()));
    panel(
        b,
        t,
        sum.availability(),
        "latency (ms)",
        new Series[] {
          new Series("p50", "#2ca02c", s -> s.p50Us() / 1000),
          new Series("p99", "#ff7f0e", s -> s.p99Us() / 1000)
        },
        null);
    b.append("</body></html>\n");
    return b.toString();
  }

  private record Series(String name, String color, ToDoubleFunction<Recorder.Second> value) {}

  private static void panel(
      StringBuilder b,
      List<Recorder.Second> t,
      Recorder.Availability availability,
      String title,
      Series[] lines,
      Series bars) {
    int h = PANEL_HEIGHT;
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = h - TOP - BOTTOM;
    double max = 0;
    for (Recorder.Second s : t) {
      for (Series l : lines) {
        max = Math.max(max, l.value().applyAsDouble(s));
      }
      if (bars != null) {
        max = Math.max(max, bars.value().applyAsDouble(s));
      }
    }
    max = niceCeiling(max);
    int n = Math.max(t.size(), 1);
    double dx = (double) plotW / n;
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-size=\"11\" style=\"display:block\">%n",
            WIDTH,
            h));
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"16\" font-size=\"13\">%s</text>%n",
            LEFT,
            escape(title)));
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      double y = TOP + plotH - plotH * i / 4.0;
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
              LEFT,
              y,
              LEFT + plotW,
              y,
              LEFT - 5,
              y + 4,
              label(v)));
    }
    int step = Math.max(1, n / 10);
    for (int i = 0; i < t.size(); i += step) {
      double x = LEFT + dx * (i + 0.5);
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ds</text>%n",
              x,
              TOP + plotH + 15,
              t.get(i).second()));
    }
    if (bars != null) {
      for (int i = 0; i < t.size(); i++) {
        double v = bars.value().applyAsDouble(t.get(i));
        if (v > 0) {
          double bh = plotH * v / max;
          b.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                      + "opacity=\"0.6\"/>%n",
                  LEFT + dx * i + dx * 0.2,
                  TOP + plotH - bh,
                  dx * 0.6,
                  bh,
                  bars.color()));
        }
      }
    }
    for (Series l : lines) {
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < t.size(); i++) {
        double v = l.value().applyAsDouble(t.get(i));
        pts.append(
            String.format(
                Locale.ROOT, "%.1f,%.1f ", LEFT + dx * (i + 0.5), TOP + plotH - plotH * v / max));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
              l.color(),
              pts.toString().trim()));
    }
    // Interval i covers seconds (i, i + 1] of the measurement: its slot is [i * dx, (i + 1) * dx].
    double killAt = Double.NaN;
    if (availability != null) {
      killAt = availability.killedAtSeconds();
    } else {
      for (int i = 0; i < t.size(); i++) {
        if (t.get(i).kill()) {
          killAt = i;
        }
      }
    }
    if (!Double.isNaN(killAt)) {
      double x = LEFT + dx * Math.min(Math.max(killAt, 0), n);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" "
                  + "stroke-dasharray=\"4,3\"/><text x=\"%.1f\" y=\"%d\">kill</text>%n",
              x,
              TOP,
              x,
              TOP + plotH,
              x + 3,
              TOP + 10));
    }
    int lx = LEFT + plotW - 200;
    int k = 0;
    for (Series l : lines) {
      legend(b, lx + 70 * k++, l);
    }
    if (bars != null) {
      legend(b, lx + 70 * k, bars);
    }
    b.append("</svg>\n");
  }

  private static void legend(StringBuilder b, int x, Series s) {
    b.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"8\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"17\">%s</text>%n",
            x,
            s.color(),
            x + 14,
            escape(s.name())));
  }

  private static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String label(double v) {
    if (v >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1fM", v / 1e6);
    }
    if (v >= 10_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1e3);
    }
    if (v >= 100 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
