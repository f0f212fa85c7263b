package io.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON report's schema, the table and the chart, from a recorder fed synthetic samples. */
class ReportTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private static Recorder.Summary synthetic(boolean withKill) {
    long t0 = 5 * SECOND;
    Recorder r = new Recorder(t0);
    r.startMeasurement(t0);
    for (int s = 0; s < 3; s++) {
      long base = t0 + s * SECOND;
      if (withKill && s == 1) {
        r.markKill(base);
      }
      for (int i = 0; i < 100; i++) {
        long start = base + i * 5 * MS;
        r.issued(start);
        r.record(OpType.PUT, Result.OK, start, start, start + (i + 1) * 10_000L);
        r.issued(start);
        r.record(OpType.GET, Result.OK, start, start, start + 20_000L);
        r.issued(start);
        r.record(
            OpType.CAS, i % 10 == 0 ? Result.CONFLICT : Result.OK, start, start, start + 50_000L);
      }
      r.record(OpType.PUT, Result.UNAVAILABLE, base, base, base + MS);
      r.record(OpType.PUT, Result.UNKNOWN_OUTCOME, base, base, base + MS);
      r.record(OpType.GET, Result.REFUSED, base, base, base + MS);
      r.record(OpType.GET, Result.ERROR, base, base, base + MS);
      r.tick(base + SECOND);
    }
    return r.finish(t0 + 3 * SECOND);
  }

  private static Report.Settings settings(String killed) {
    return new Report.Settings(
        "embedded(1 node)", "mixed:50", "closed", 64, 0, 1000, "uniform", 100, 5.0, killed, 0, 0);
  }

  @Test
  void jsonHasEveryDocumentedField() throws Exception {
    Recorder.Summary sum = synthetic(false);
    JsonNode root =
        new ObjectMapper().readTree(Report.jsonString(Report.toJson(settings(null), sum)));

    assertThat(root.get("ops_per_s").asDouble()).isEqualTo(300.0);
    assertThat(root.get("duration_s").asDouble()).isEqualTo(3.0);
    assertThat(root.get("clients").asInt()).isEqualTo(64);
    assertThat(root.get("workload").asText()).isEqualTo("mixed:50");
    assertThat(root.get("target").asText()).isEqualTo("embedded(1 node)");
    for (String op : new String[] {"put", "get", "cas"}) {
      JsonNode o = root.path("operations").path(op);
      assertThat(o.get("count").asLong()).as(op).isEqualTo(300);
      for (String f : new String[] {"p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us"}) {
        assertThat(o.get(f)).as(op + "." + f).isNotNull();
        assertThat(o.get(f).isNumber()).isTrue();
      }
      assertThat(o.get("p50_us").asLong()).isLessThanOrEqualTo(o.get("p99_us").asLong());
      assertThat(o.get("p99_us").asLong()).isLessThanOrEqualTo(o.get("p999_us").asLong());
      assertThat(o.get("p999_us").asLong()).isLessThanOrEqualTo(o.get("max_us").asLong());
    }
    assertThat(root.at("/operations/put/p50_us").asLong()).isBetween(500L, 510L);
    assertThat(root.at("/operations/get/p99_us").asLong()).isEqualTo(20);
    assertThat(root.at("/operations/cas/conflicts").asLong()).isEqualTo(30);
    JsonNode errors = root.get("errors");
    assertThat(errors.get("refused").asLong()).isEqualTo(3);
    assertThat(errors.get("unavailable").asLong()).isEqualTo(3);
    assertThat(errors.get("unknown_outcome").asLong()).isEqualTo(3);
    assertThat(errors.get("error").asLong()).isEqualTo(3);
    JsonNode timeline = root.get("timeline");
    assertThat(timeline).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode s = timeline.get(i);
      assertThat(s.get("second").asInt()).isEqualTo(i + 1);
      assertThat(s.get("ops").asLong()).isEqualTo(300);
      assertThat(s.get("errors").asLong()).isEqualTo(4);
      assertThat(s.has("p50_us")).isTrue();
      assertThat(s.has("p99_us")).isTrue();
    }
    assertThat(root.has("availability")).isFalse();
  }

  @Test
  void availabilityAppearsAfterAKill() throws Exception {
    JsonNode root =
        new ObjectMapper()
            .readTree(Report.jsonString(Report.toJson(settings("pid 42"), synthetic(true))));
    JsonNode a = root.get("availability");
    assertThat(a.get("killed_at_s").asDouble()).isEqualTo(1.0);
    assertThat(a.get("killed").asText()).isEqualTo("pid 42");
    assertThat(a.get("percent").asDouble()).isEqualTo(100.0);
    assertThat(a.get("longest_gap_ms").asDouble()).isPositive();
    assertThat(root.at("/timeline/1/kill").asBoolean()).isTrue();
  }

  @Test
  void tableAndChartAreWritten(@TempDir Path dir) throws Exception {
    Recorder.Summary sum = synthetic(true);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Report.printTable(
        settings("pid 42"), sum, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String table = bytes.toString(StandardCharsets.UTF_8);
    assertThat(table).contains("put", "get", "cas", "p99.9 ms", "availability after the kill");

    Path json = dir.resolve("run.json");
    Report.writeJson(Report.toJson(settings(null), sum), json);
    Path chart = Chart.pathFor(json);
    assertThat(chart.getFileName().toString()).isEqualTo("run.html");
    Chart.write(chart, "run <1>", sum);
    String html = Files.readString(chart);
    assertThat(html).contains("<svg", "<polyline", "p99", "kill", "run &lt;1&gt;");
    // Self-contained: nothing to fetch.
    assertThat(html).doesNotContain("<script", "src=", "href=", "@import");
    assertThat(Files.size(json)).isPositive();
  }

  @Test
  void progressLineFormat() {
    Recorder.Second s = new Recorder.Second(3, 12345, 0, 800, 1200, SECOND, false);
    assertThat(Report.progressLine(s, false, 3.0)).isEqualTo("t=3s ops/s=12345 p99=1.2ms errors=0");
    assertThat(Report.formatMicros(850)).isEqualTo("850us");
    assertThat(Report.formatMicros(3_400_000)).isEqualTo("3.40s");
  }
}
