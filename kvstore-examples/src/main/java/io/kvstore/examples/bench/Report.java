package io.kvstore.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Turns a {@link Recorder.Summary} into the end-of-run table and the JSON document.
 *
 * <p>The JSON's field names are a contract (scripts read {@code ops_per_s} and, per operation type,
 * {@code p50_us}, {@code p99_us}, {@code p999_us}); add fields freely, rename none.
 */
final class Report {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Report() {}

  /**
   * The run's settings, echoed in the report.
   *
   * @param target the target's description
   * @param workload the workload name
   * @param mode {@code closed} or {@code open}
   * @param clients the clients (closed) or connections (open)
   * @param ratePerSecond the open loop's rate, 0 in the closed loop
   * @param keys the number of keys
   * @param keyDistribution {@code uniform} or {@code zipf}
   * @param valueSize the value size in bytes
   * @param warmupSeconds the warm-up
   * @param killedNode what was killed, or null
   * @param maxSendLagNanos open loop: the longest delay of a send after its slot
   * @param lateSends open loop: sends more than a millisecond late
   */
  record Settings(
      String target,
      String workload,
      String mode,
      int clients,
      double ratePerSecond,
      int keys,
      String keyDistribution,
      int valueSize,
      double warmupSeconds,
      String killedNode,
      long maxSendLagNanos,
      long lateSends) {}

  /** The JSON document as nested maps, in a stable field order. */
  static Map<String, Object> toJson(Settings s, Recorder.Summary sum) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("target", s.target());
    root.put("workload", s.workload());
    root.put("mode", s.mode());
    root.put("clients", s.clients());
    if (s.ratePerSecond() > 0) {
      root.put("rate_per_s", s.ratePerSecond());
      root.put("max_send_lag_us", s.maxSendLagNanos() / 1000);
      root.put("late_sends", s.lateSends());
    }
    root.put("keys", s.keys());
    root.put("key_dist", s.keyDistribution());
    root.put("value_size", s.valueSize());
    root.put("warmup_s", s.warmupSeconds());
    root.put("duration_s", round(sum.measuredNanos() / 1e9, 3));
    root.put("total_ops", sum.successes());
    root.put("ops_per_s", round(sum.opsPerSecond(), 1));
    Map<String, Object> ops = new LinkedHashMap<>();
    for (Map.Entry<OpType, Histogram> e : sum.latencies().entrySet()) {
      Map<String, Object> o = percentiles(e.getValue());
      o.put("conflicts", sum.conflicts().getOrDefault(e.getKey(), 0L));
      ops.put(e.getKey().reportName(), o);
    }
    root.put("operations", ops);
    if (sum.serviceTimes().getTotalCount() > 0) {
      root.put("service_time", percentiles(sum.serviceTimes()));
    }
    Map<String, Object> errors = new LinkedHashMap<>();
    errors.put("refused", sum.outcomes().getOrDefault(Result.REFUSED, 0L));
    errors.put("unavailable", sum.outcomes().getOrDefault(Result.UNAVAILABLE, 0L));
    errors.put("unknown_outcome", sum.outcomes().getOrDefault(Result.UNKNOWN_OUTCOME, 0L));
    errors.put("error", sum.outcomes().getOrDefault(Result.ERROR, 0L));
    errors.put("total", sum.errors());
    root.put("errors", errors);
    List<Map<String, Object>> timeline = new ArrayList<>();
    for (Recorder.Second sec : sum.timeline()) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("second", sec.second());
      t.put("ops", sec.ops());
      t.put("ops_per_s", round(sec.opsPerSecond(), 1));
      t.put("p50_us", sec.p50Us());
      t.put("p99_us", sec.p99Us());
      t.put("errors", sec.errors());
      if (sec.kill()) {
        t.put("kill", true);
      }
      timeline.add(t);
    }
    root.put("timeline", timeline);
    Recorder.Availability a = sum.availability();
    if (a != null) {
      Map<String, Object> av = new LinkedHashMap<>();
      av.put("killed_at_s", round(a.killedAtSeconds(), 3));
      if (s.killedNode() != null) {
        av.put("killed", s.killedNode());
      }
      av.put("attempted", a.attempted());
      av.put("succeeded", a.succeeded());
      av.put("percent", round(a.percent(), 3));
      av.put("longest_gap_ms", round(a.longestGapNanos() / 1e6, 3));
      root.put("availability", av);
    }
    return root;
  }

  private static Map<String, Object> percentiles(Histogram h) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("count", h.getTotalCount());
    o.put("p50_us", h.getValueAtPercentile(50));
    o.put("p90_us", h.getValueAtPercentile(90));
    o.put("p99_us", h.getValueAtPercentile(99));
    o.put("p999_us", h.getValueAtPercentile(99.9));
    o.put("max_us", h.getMaxValue());
    o.put("mean_us", round(h.getMean(), 1));
    return o;
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  /**
   * Adds {@code per_op}: each counter's growth over the measured window divided by the operations
   * completed in it (nothing when there is nothing to divide).
   */
  static void addPerOp(Map<String, Object> json, Map<String, Long> spent, long ops) {
    if (spent.isEmpty() || ops <= 0) {
      return;
    }
    Map<String, Object> per = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : spent.entrySet()) {
      per.put(e.getKey(), round((double) e.getValue() / ops, 1));
    }
    json.put("per_op", per);
  }

  /** Prints the per-operation costs under the table (nothing when there are none). */
  static void printPerOp(Map<String, Long> spent, long ops, PrintStream out) {
    if (spent.isEmpty() || ops <= 0) {
      return;
    }
    StringBuilder line = new StringBuilder("per operation:");
    for (Map.Entry<String, Long> e : spent.entrySet()) {
      line.append(String.format(Locale.ROOT, " %s=%.1f", e.getKey(), (double) e.getValue() / ops));
    }
    out.println(line);
  }

  /** Writes the JSON document. */
  static void writeJson(Map<String, Object> json, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    MAPPER.writeValue(file.toFile(), json);
  }

  /** The JSON document as a string. */
  static String jsonString(Map<String, Object> json) throws IOException {
    return MAPPER.writeValueAsString(json);
  }

  /** Prints the end-of-run table. */
  static void printTable(Settings s, Recorder.Summary sum, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%n%s, workload %s, %s loop, %d %s, %d keys (%s), %d-byte values%n",
        s.target(),
        s.workload(),
        s.mode(),
        s.clients(),
        s.mode().equals("open") ? "connections" : "clients",
        s.keys(),
        s.keyDistribution(),
        s.valueSize());
    out.printf(
        Locale.ROOT,
        "measured %.1f s: %d ops, %.0f ops/s, %d errors%n%n",
        sum.measuredNanos() / 1e9,
        sum.successes(),
        sum.opsPerSecond(),
        sum.errors());
    out.printf(
        Locale.ROOT,
        "%-14s %10s %10s %9s %9s %9s %9s %9s %9s%n",
        "op",
        "count",
        "conflicts",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "mean ms");
    for (Map.Entry<OpType, Histogram> e : sum.latencies().entrySet()) {
      row(out, e.getKey().reportName(), e.getValue(), sum.conflicts().getOrDefault(e.getKey(), 0L));
    }
    if (s.mode().equals("open") && sum.serviceTimes().getTotalCount() > 0) {
      row(out, "(service time)", sum.serviceTimes(), 0);
    }
    out.printf(
        Locale.ROOT,
        "%nerrors: refused=%d unavailable=%d unknown_outcome=%d error=%d%n",
        sum.outcomes().getOrDefault(Result.REFUSED, 0L),
        sum.outcomes().getOrDefault(Result.UNAVAILABLE, 0L),
        sum.outcomes().getOrDefault(Result.UNKNOWN_OUTCOME, 0L),
        sum.outcomes().getOrDefault(Result.ERROR, 0L));
    if (s.mode().equals("open") && s.lateSends() > 0) {
      out.printf(
          Locale.ROOT,
          "note: %d sends were more than 1 ms behind the schedule (at worst %.1f ms): the"
              + " generator or the machine did not keep up with %.0f ops/s, and the latencies"
              + " above include that wait%n",
          s.lateSends(),
          s.maxSendLagNanos() / 1e6,
          s.ratePerSecond());
    }
    Recorder.Availability a = sum.availability();
    if (a != null) {
      out.printf(
          Locale.ROOT,
          "availability after the kill at %.1f s: %.3f%% (%d of %d), longest gap %.1f ms%n",
          a.killedAtSeconds(),
          a.percent(),
          a.succeeded(),
          a.attempted(),
          a.longestGapNanos() / 1e6);
    }
  }

  private static void row(PrintStream out, String name, Histogram h, long conflicts) {
    out.printf(
        Locale.ROOT,
        "%-14s %10d %10d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n",
        name,
        h.getTotalCount(),
        conflicts,
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(90) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0,
        h.getMaxValue() / 1000.0,
        h.getMean() / 1000.0);
  }

  /** The progress line for one interval, such as {@code t=3s ops/s=12345 p99=1.2ms errors=0}. */
  static String progressLine(Recorder.Second s, boolean warmup, double elapsedSeconds) {
    return String.format(
        Locale.ROOT,
        "%st=%ds ops/s=%.0f p99=%s errors=%d%s",
        warmup ? "warmup " : "",
        Math.round(elapsedSeconds),
        s.opsPerSecond(),
        formatMicros(s.p99Us()),
        s.errors(),
        s.kill() ? " (node killed)" : "");
  }

  /** {@code 850us}, {@code 1.2ms} or {@code 3.40s}. */
  static String formatMicros(double us) {
    if (us < 1000) {
      return String.format(Locale.ROOT, "%.0fus", us);
    }
    if (us < 1_000_000) {
      return String.format(Locale.ROOT, "%.1fms", us / 1000);
    }
    return String.format(Locale.ROOT, "%.2fs", us / 1_000_000);
  }
}
