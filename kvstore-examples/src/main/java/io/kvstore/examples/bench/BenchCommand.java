package io.kvstore.examples.bench;

import io.kvstore.examples.cli.LeakDetection;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/kvstore bench}: the load generator.
 *
 * <p>Targets a running cluster over HTTP ({@code --urls}), node processes it starts itself ({@code
 * --spawn-nodes}), or a store embedded in this JVM ({@code --embedded-nodes}). Closed loop by
 * default; {@code --rate} switches to the open loop. Prints a progress line per second to stderr, a
 * table to stdout at the end, and with {@code --json FILE} writes the JSON report and a chart
 * ({@code FILE} with {@code .html} in place of {@code .json}).
 *
 * <p>Exit status: 0 after a run, 2 for invalid flags, 1 if the run could not be done.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Load generator: closed loop (C clients) or open loop (--rate, latency corrected for "
          + "coordinated omission) against HTTP URLs, spawned node processes or an embedded store.",
      "Progress every second on stderr; a table on stdout; --json writes the report and an HTML "
          + "chart beside it."
    })
public final class BenchCommand implements Callable<Integer> {

  @Option(
      names = "--urls",
      paramLabel = "U1,U2,...",
      description =
          "HTTP base URLs of a running cluster; clients are spread over them round-robin.")
  String urls;

  @Option(
      names = "--embedded-nodes",
      paramLabel = "N",
      description =
          "Start N stores in this JVM and drive them through the async API; N > 1 forms a"
              + " replicated cluster over loopback Netty.")
  Integer embeddedNodes;

  @Option(
      names = "--spawn-nodes",
      paramLabel = "N",
      description =
          "Start N node processes (java -jar <node jar> node) on loopback and drive them over"
              + " HTTP.")
  Integer spawnNodes;

  @Option(
      names = "--node-jar",
      paramLabel = "JAR",
      description =
          "The node jar for --spawn-nodes (default: this jar, else"
              + " kvstore-examples/target/kvstore-node.jar).")
  Path nodeJar;

  @Option(
      names = "--clients",
      paramLabel = "C",
      defaultValue = "64",
      description =
          "Concurrent clients (closed loop) or connections (open loop). Default: ${DEFAULT-VALUE}.")
  int clients;

  @Option(
      names = "--duration",
      paramLabel = "D",
      defaultValue = "20s",
      description = "Measured time: 20s, 500ms, 2m or plain seconds. Default: ${DEFAULT-VALUE}.")
  String duration;

  @Option(
      names = "--warmup",
      paramLabel = "D",
      defaultValue = "5s",
      description = "Unmeasured time before. Default: ${DEFAULT-VALUE}.")
  String warmup;

  @Option(
      names = "--workload",
      paramLabel = "W",
      defaultValue = "mixed:50",
      description =
          "put | get | mixed:R (R%% gets, the rest puts) | cas | put-if-absent. Default:"
              + " ${DEFAULT-VALUE}.")
  String workload;

  @Option(
      names = "--keys",
      paramLabel = "K",
      defaultValue = "10000",
      description = "Number of distinct keys (key-0 .. key-(K-1)). Default: ${DEFAULT-VALUE}.")
  int keys;

  @Option(
      names = "--key-dist",
      paramLabel = "DIST",
      defaultValue = "uniform",
      description = "uniform | zipf (theta 0.99). Default: ${DEFAULT-VALUE}.")
  String keyDist;

  @Option(
      names = "--value-size",
      paramLabel = "B",
      defaultValue = "100",
      description =
          "Value size in bytes (characters of the JSON string over HTTP). Default:"
              + " ${DEFAULT-VALUE}.")
  int valueSize;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description =
          "Open loop at R operations per second; latency counted from each operation's scheduled"
              + " start.")
  Double rate;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description =
          "Write the JSON report to FILE and the chart to FILE with .html in place of .json.")
  Path json;

  @Option(
      names = "--kill-node-after",
      paramLabel = "D",
      description =
          "SIGKILL a node D after the measurement starts (needs --spawn-nodes or --kill-pid) and"
              + " report availability.")
  String killNodeAfter;

  @Option(
      names = "--kill-pid",
      paramLabel = "PID",
      description = "The process that --kill-node-after kills.")
  Long killPid;

  @Option(
      names = "--preload",
      description = "Write every key once before the warm-up, so that gets find values.")
  boolean preload;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of the workload's random choices. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--timeout",
      paramLabel = "D",
      defaultValue = "10s",
      description =
          "HTTP: a request without a response after D breaks its connection and counts as an error."
              + " Default: ${DEFAULT-VALUE}.")
  String timeout;

  @Option(
      names = "--io-threads",
      paramLabel = "T",
      description =
          "HTTP client event-loop threads (default: half the processors, at least one; the"
              + " generator then leaves the other half to the nodes when they share the host).")
  Integer ioThreads;

  /** Set by tests to capture output; null means {@code System.out} / {@code System.err}. */
  PrintStream out;

  PrintStream err;

  @Override
  public Integer call() throws Exception {
    LeakDetection.offUnlessAsked();
    PrintStream stdout = out != null ? out : System.out;
    PrintStream stderr = err != null ? err : System.err;
    Settings s;
    try {
      s = validate();
    } catch (IllegalArgumentException e) {
      stderr.println("bench: " + e.getMessage());
      return 2;
    }
    NodeProcesses spawned = null;
    Thread stopNodesOnExit = null;
    Target target = null;
    try {
      NodeKiller killer = null;
      if (spawnNodes != null) {
        Path logDir =
            Path.of(
                System.getProperty("java.io.tmpdir"),
                "kvstore-bench-" + ProcessHandle.current().pid());
        stderr.println("starting " + spawnNodes + " node processes (logs in " + logDir + ")");
        spawned =
            NodeProcesses.start(
                spawnNodes, nodeJar != null ? nodeJar : NodeProcesses.defaultJar(), logDir);
        // Ctrl-C must not leave node processes behind.
        stopNodesOnExit = new Thread(spawned::close, "bench-stop-nodes");
        Runtime.getRuntime().addShutdownHook(stopNodesOnExit);
        killer = spawned.killerOfLast();
        target = http(spawned.urls(), s);
      } else if (urls != null) {
        target = http(HttpTarget.parseUrls(urls), s);
      } else {
        target = EmbeddedTarget.start(embeddedNodes, valueSize);
      }
      if (killPid != null) {
        killer = NodeKiller.pid(killPid);
      }
      target.open(clients);
      KeyChooser chooser = new KeyChooser(keys, s.distribution);
      if (preload) {
        long failed =
            Preloader.preload(
                target,
                chooser,
                clients,
                Math.max(s.timeoutNanos, TimeUnit.SECONDS.toNanos(1)) * 2);
        stderr.println(
            "preloaded " + keys + " keys" + (failed > 0 ? " (" + failed + " writes failed)" : ""));
      }
      Driver.Plan plan = new Driver.Plan(s.workload, chooser, clients, seed);
      long drain =
          Math.max(s.timeoutNanos, TimeUnit.SECONDS.toNanos(1)) + TimeUnit.SECONDS.toNanos(1);
      BenchRun.Timing timing =
          new BenchRun.Timing(
              s.warmupNanos, s.durationNanos, rate == null ? 0 : rate, s.killAfterNanos, drain);
      stderr.printf(
          "bench: %s, %s, %s, %d clients, warm-up %s, duration %s%n",
          target.describe(),
          s.workload.name(),
          rate == null ? "closed loop" : "open loop at " + rate + " ops/s",
          clients,
          warmup,
          duration);
      BenchRun.Outcome outcome =
          BenchRun.run(target, plan, timing, killer, BenchClock.system(), stderr);
      if (!outcome.drained()) {
        stderr.println("bench: some operations were still in flight at the end");
      }
      Report.Settings rs =
          new Report.Settings(
              target.describe(),
              s.workload.name(),
              rate == null ? "closed" : "open",
              clients,
              rate == null ? 0 : rate,
              keys,
              s.distribution.name().toLowerCase(Locale.ROOT),
              valueSize,
              s.warmupNanos / 1e9,
              outcome.killed(),
              outcome.maxSendLagNanos(),
              outcome.lateSends());
      Report.printTable(rs, outcome.summary(), stdout);
      long completed = outcome.summary().successes() + outcome.summary().errors();
      Report.printPerOp(outcome.spent(), completed, stdout);
      if (json != null) {
        Map<String, Object> doc = Report.toJson(rs, outcome.summary());
        Report.addPerOp(doc, outcome.spent(), completed);
        Report.writeJson(doc, json);
        Path chart = Chart.pathFor(json);
        Chart.write(
            chart, "kvstore bench: " + rs.workload() + " on " + rs.target(), outcome.summary());
        stdout.println("report: " + json + ", chart: " + chart);
      }
      stdout.flush();
      return 0;
    } catch (IllegalArgumentException e) {
      stderr.println("bench: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      stderr.println("bench: failed: " + e);
      return 1;
    } finally {
      if (target != null) {
        target.close();
      }
      if (spawned != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(stopNodesOnExit);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running or will run; closing twice is harmless.
        }
        spawned.close();
      }
    }
  }

  private Target http(List<URI> list, Settings s) {
    int threads =
        ioThreads != null ? ioThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    return new HttpTarget(list, valueSize, threads, s.timeoutNanos);
  }

  /** The parsed and checked flags. */
  private record Settings(
      Workload workload,
      KeyChooser.Distribution distribution,
      long warmupNanos,
      long durationNanos,
      long killAfterNanos,
      long timeoutNanos) {}

  private Settings validate() {
    int targets =
        (urls != null ? 1 : 0) + (embeddedNodes != null ? 1 : 0) + (spawnNodes != null ? 1 : 0);
    if (targets != 1) {
      throw new IllegalArgumentException(
          "give exactly one of --urls, --embedded-nodes, --spawn-nodes");
    }
    if (embeddedNodes != null && (embeddedNodes < 1 || embeddedNodes > 9)) {
      throw new IllegalArgumentException("--embedded-nodes must be 1..9");
    }
    if (spawnNodes != null && (spawnNodes < 1 || spawnNodes > 15)) {
      throw new IllegalArgumentException("--spawn-nodes must be 1..15");
    }
    if (clients < 1 || clients > 100_000) {
      throw new IllegalArgumentException("--clients must be 1..100000");
    }
    if (keys < 1) {
      throw new IllegalArgumentException("--keys must be at least 1");
    }
    if (valueSize < 0 || valueSize > 16 * 1024 * 1024) {
      throw new IllegalArgumentException("--value-size must be 0..16777216");
    }
    if (rate != null && !(rate > 0)) {
      throw new IllegalArgumentException("--rate must be positive");
    }
    long killAfter = -1;
    if (killNodeAfter != null) {
      if (spawnNodes == null && killPid == null) {
        throw new IllegalArgumentException(
            "--kill-node-after needs node processes to kill: --spawn-nodes N or --kill-pid PID");
      }
      killAfter = nanos(killNodeAfter);
    }
    long durationNanos = nanos(duration);
    if (durationNanos <= 0) {
      throw new IllegalArgumentException("--duration must be positive");
    }
    if (killAfter >= durationNanos) {
      throw new IllegalArgumentException("--kill-node-after must be shorter than --duration");
    }
    return new Settings(
        Workload.parse(workload),
        KeyChooser.Distribution.parse(keyDist),
        nanos(warmup),
        durationNanos,
        killAfter,
        Math.max(nanos(timeout), TimeUnit.MILLISECONDS.toNanos(1)));
  }

  private static long nanos(String text) {
    Duration d = Durations.parse(text);
    return d.toNanos();
  }
}
