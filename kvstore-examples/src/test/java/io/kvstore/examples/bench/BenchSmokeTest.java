package io.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Short end-to-end runs of {@code bench} against an embedded one-node store. */
class BenchSmokeTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int bench(String... args) {
    BenchCommand cmd = new BenchCommand();
    cmd.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    cmd.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(cmd).execute(args);
  }

  @Test
  void embeddedMixedRunWritesACompleteReport(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("mixed.json");
    int rc =
        bench(
            "--embedded-nodes",
            "1",
            "--clients",
            "8",
            "--duration",
            "2s",
            "--warmup",
            "500ms",
            "--workload",
            "mixed:50",
            "--keys",
            "1000",
            "--key-dist",
            "zipf",
            "--preload",
            "--json",
            json.toString());

    assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.get("ops_per_s").asDouble()).isPositive();
    assertThat(root.get("duration_s").asDouble()).isPositive();
    assertThat(root.get("clients").asInt()).isEqualTo(8);
    assertThat(root.get("workload").asText()).isEqualTo("mixed:50");
    for (String op : new String[] {"put", "get"}) {
      JsonNode o = root.path("operations").path(op);
      assertThat(o.get("count").asLong()).as(op).isPositive();
      assertThat(o.get("max_us").asLong()).as(op).isPositive();
      assertThat(o.get("p50_us").asLong()).isLessThanOrEqualTo(o.get("p99_us").asLong());
      assertThat(o.get("p99_us").asLong()).isLessThanOrEqualTo(o.get("p999_us").asLong());
    }
    assertThat(root.at("/errors/total").asLong()).isZero();
    assertThat(root.get("timeline").size()).isPositive();
    assertThat(root.at("/timeline/0/ops").asLong()).isPositive();
    assertThat(Files.readString(dir.resolve("mixed.html"))).contains("<svg");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("p99.9 ms", "put", "get");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .containsPattern("t=1s ops/s=\\d+ p99=\\S+ errors=0");
  }

  @Test
  void embeddedThreeNodeClusterRun(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("cluster.json");
    int rc = bench("--embedded-nodes", "3", "--clients", "8", "--duration", "2s", "--warmup",
        "500ms", "--workload", "mixed:50", "--keys", "200", "--json", json.toString());
    assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.get("ops_per_s").asDouble()).isPositive();
    assertThat(root.at("/operations/put/count").asLong()).isPositive();
    assertThat(root.at("/operations/get/count").asLong()).isPositive();
    assertThat(root.at("/errors/total").asLong()).isZero();
    // Every operation crosses the network at least once (a get asks one other replica, a put is
    // accepted by two others) and allocates something.
    assertThat(root.at("/per_op/cluster_messages").asDouble()).isGreaterThanOrEqualTo(2.0);
    assertThat(root.at("/per_op/cluster_bytes").asDouble()).isGreaterThan(100.0);
    assertThat(root.at("/per_op/allocated_bytes").asDouble()).isPositive();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("per operation: cluster_messages=");
  }

  @Test
  void embeddedOpenLoopCasRun(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("cas.json");
    int rc =
        bench(
            "--embedded-nodes",
            "1",
            "--clients",
            "4",
            "--duration",
            "1s",
            "--warmup",
            "0",
            "--workload",
            "cas",
            "--keys",
            "10",
            "--rate",
            "2000",
            "--json",
            json.toString());

    assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.get("mode").asText()).isEqualTo("open");
    assertThat(root.at("/operations/cas/count").asLong()).isPositive();
    assertThat(root.at("/service_time/count").asLong()).isPositive();
    assertThat(root.get("rate_per_s").asDouble()).isEqualTo(2000.0);
    assertThat(root.has("max_send_lag_us")).isTrue();
    assertThat(root.has("late_sends")).isTrue();
  }

  @Test
  void preloadWritesEveryKeyOnce() throws Exception {
    Set<String> written = new HashSet<>();
    Target recording =
        new Target() {
          @Override
          public CompletableFuture<Result> execute(Op op) {
            assertThat(op.type()).isEqualTo(OpType.PUT);
            written.add(op.key());
            return CompletableFuture.completedFuture(
                op.key().equals("key-3") ? Result.UNAVAILABLE : Result.OK);
          }

          @Override
          public String describe() {
            return "recording";
          }

          @Override
          public void close() {}
        };
    long failed =
        Preloader.preload(
            recording,
            new KeyChooser(50, KeyChooser.Distribution.ZIPF),
            4,
            TimeUnit.SECONDS.toNanos(5));
    assertThat(written).hasSize(50).contains("key-0", "key-49");
    assertThat(failed).isEqualTo(1);
  }

  @Test
  void rejectsBadFlags() {
    assertThat(bench("--embedded-nodes", "10", "--duration", "1s")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--embedded-nodes must be 1..9");
    assertThat(bench("--embedded-nodes", "1", "--workload", "scan")).isEqualTo(2);
    assertThat(bench("--embedded-nodes", "1", "--kill-node-after", "2s")).isEqualTo(2);
    assertThat(bench("--duration", "1s")).isEqualTo(2);
  }

  @Test
  void killsAProcessByPid() throws Exception {
    Process p = new ProcessBuilder("sleep", "60").start();
    try {
      String what = NodeKiller.pid(p.pid()).kill();
      assertThat(what).isEqualTo("pid " + p.pid());
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isNotZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
