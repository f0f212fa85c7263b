package io.kvstore.examples.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * Parses durations as written on the command line: {@code 20s}, {@code 500ms}, {@code 2m}, {@code
 * 15}. Shared by the load generator and the node launcher.
 */
public final class Durations {
  private Durations() {}

  /**
   * Parses {@code text}: a non-negative number with an optional unit {@code ms}, {@code s}, {@code
   * m} or {@code h}; no unit means seconds.
   *
   * @throws IllegalArgumentException if the text is not such a duration
   */
  public static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long multiplierMillis;
    String number;
    if (t.endsWith("ms")) {
      multiplierMillis = 1;
      number = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      multiplierMillis = 1000;
      number = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      multiplierMillis = 60_000;
      number = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      multiplierMillis = 3_600_000;
      number = t.substring(0, t.length() - 1);
    } else {
      multiplierMillis = 1000;
      number = t;
    }
    double value;
    try {
      value = Double.parseDouble(number.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (try 20s, 500ms, 2m)");
    }
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("not a duration: '" + text + "'");
    }
    return Duration.ofNanos(Math.round(value * multiplierMillis * 1_000_000d));
  }
}
