package io.kvstore.examples.cli;

import io.kvstore.KvStoreBuilder;
import io.kvstore.examples.bench.Durations;
import io.kvstore.examples.node.NodeSettings;
import io.kvstore.examples.node.NodeStartException;
import io.kvstore.examples.node.StandaloneNode;
import io.kvstore.spi.Endpoint;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import io.kvstore.NodeState;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kvstore node}: runs one node in the foreground until SIGTERM or SIGINT. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs one kvstore node in the foreground, serving HTTP.",
      "Prints one line containing 'ready' with its URLs once it serves, and 'stopped' after a"
          + " graceful shutdown on SIGTERM or SIGINT (Ctrl-C).",
      "",
    },
    footer = {
      "",
      "Exit status: 0 after a graceful stop, 1 if the node cannot start (for example a port in"
          + " use) or its graceful stop does not finish in time, 2 on invalid flags.",
      "",
      "Forming and joining a cluster:",
      "Without --seeds a node forms a one-node cluster that others may join later.",
      "Nodes started with each other as --seeds and the same --bootstrap-expect N form one"
          + " cluster of N.",
      "--seeds without --bootstrap-expect joins a running cluster: the cluster adds the node"
          + " and streams its share of the data to it; the node prints 'ready' once it serves"
          + " (GET /health shows \"ready\": true once it is a caught-up member).",
      "A node whose seeds lead to an already formed cluster joins it even when started with"
          + " --bootstrap-expect, so restarting a node with its original flags rejoins it (a"
          + " restarted process is a new identity that replaces its predecessor without waiting"
          + " for --dead-member-grace).",
      "",
      "Stopping:",
      "On SIGTERM or SIGINT the node first hands its partitions off to the other members"
          + " (leaving the cluster's configuration), then stops; this may take a while under load"
          + " and is given up to "
          + NodeCommand.STOP_TIMEOUT_SECONDS
          + " s. For a rolling restart, wait until GET /health shows \"safe_to_stop\": true"
          + " before stopping the next node.",
      "A node that dies without stopping (kill -9, a crash) is removed from the configuration"
          + " after --dead-member-grace.",
    })
final class NodeCommand implements Callable<Integer> {
  static final int DEFAULT_HTTP_PORT = 8000;
  static final int CLUSTER_PORT_OFFSET = 1000;
  static final String PORT_ENV = "PORT";

  /**
   * How long a graceful stop may take before the process gives up and exits with 1. The store's
   * hand-off of its partitions is bounded at 60 s; this leaves room for the leave that follows.
   */
  static final long STOP_TIMEOUT_SECONDS = 75;

  /** How often the main thread checks whether the store stopped by itself. */
  private static final long STORE_WATCH_MILLIS = 500;

  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Function<String, String> env;

  @Spec private CommandSpec spec;

  @Option(
      names = "--node-id",
      paramLabel = "ID",
      description =
          "Stable, human-readable node name: letters, digits, '.', '_', '-'; at most 64"
              + " characters (default: node-<http port>).")
  private String nodeId;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description =
          "HTTP port (default: the PORT environment variable, else "
              + DEFAULT_HTTP_PORT
              + "; 0 picks a free port).")
  private Integer httpPort;

  @Option(
      names = "--cluster-port",
      paramLabel = "PORT",
      description =
          "Cluster port, TCP and UDP (default: HTTP port + "
              + CLUSTER_PORT_OFFSET
              + ", or 0 when the HTTP port is 0).")
  private Integer clusterPort;

  @Option(
      names = "--seeds",
      split = ",",
      paramLabel = "HOST:PORT",
      description =
          "Cluster addresses of nodes to join through, comma-separated (default: none, bootstrap"
              + " a new cluster). Without --bootstrap-expect the node joins the running cluster"
              + " the seeds lead to.")
  private List<String> seeds = new ArrayList<>();

  @Option(
      names = "--dead-member-grace",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description =
          "How long a member may stay dead (unreachable, by failure detection) before the cluster"
              + " removes it and re-replicates its partitions on the others, such as 30s, 500ms or"
              + " 2m (default: ${DEFAULT-VALUE}). A node restarted under the same --node-id"
              + " replaces its predecessor without waiting for this.")
  private String deadMemberGrace;

  @Option(
      names = "--http-threads",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "I/O threads of the HTTP server (default: ${DEFAULT-VALUE}, serve HTTP on the cluster"
              + " transport's thread, so a request, the replication work and the reply stay on"
              + " one thread; best where cores are few or several nodes share a host). Give 2 or"
              + " more on a dedicated many-core host to parse HTTP in parallel.")
  private int httpThreads;

  @Option(
      names = "--bootstrap-expect",
      paramLabel = "N",
      defaultValue = "1",
      description = "Number of nodes that form a new cluster together (default: ${DEFAULT-VALUE}).")
  private int bootstrapExpect;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, all interfaces).")
  private String bind;

  @Option(
      names = "--advertise-host",
      paramLabel = "HOST",
      description =
          "Host name or address shown in URLs and given to other nodes (default: the bind"
              + " address, or 127.0.0.1 when binding to all interfaces).")
  private String advertiseHost;

  @Option(
      names = "--max-value-bytes",
      paramLabel = "BYTES",
      defaultValue = "" + KvStoreBuilder.DEFAULT_MAX_VALUE_BYTES,
      description = "Largest value accepted, in bytes (default: ${DEFAULT-VALUE}).")
  private int maxValueBytes;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "" + KvStoreBuilder.DEFAULT_PARTITIONS,
      description =
          "Partition count, fixed when the cluster is created (default: ${DEFAULT-VALUE}).")
  private int partitions;

  /** Set by {@code kvstore cluster}: the node stops when this process is gone. */
  @Option(names = "--parent-pid", hidden = true)
  private Long parentPid;

  NodeCommand(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    LeakDetection.offUnlessAsked();
    NodeSettings settings = settings();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StandaloneNode node;
    try {
      node = StandaloneNode.start(settings);
    } catch (NodeStartException e) {
      err.println("kvstore node: " + e.getMessage());
      err.flush();
      return 1;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "invalid configuration: " + e.getMessage());
    }
    runUntilStopped(node, out, err);
    return 0;
  }

  /**
   * Prints the ready line and blocks; a shutdown hook (SIGTERM, SIGINT, or the parent process gone)
   * stops the node gracefully and ends the JVM.
   */
  private void runUntilStopped(StandaloneNode node, PrintWriter out, PrintWriter err) {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stopGracefully(node, out, err), "kvstore-shutdown"));
    out.println(node.readyLine());
    out.flush();
    if (parentPid != null) {
      watchParent(parentPid, err);
    }
    CountDownLatch never = new CountDownLatch(1);
    while (true) {
      try {
        if (never.await(STORE_WATCH_MILLIS, TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        // Nothing interrupts the main thread on purpose; keep serving until a signal arrives.
      }
      if (node.store().state() == NodeState.CLOSED && !ProcessExit.stopping()) {
        // The store stopped by itself: the cluster removed this node. A process that only
        // answers 503 helps no one; exit as after a signal (the hook prints "stopped").
        err.println("kvstore node: removed from the cluster; stopping (restart it to join again)");
        err.flush();
        ProcessExit.exit(0);
      }
    }
  }

  /** Exits (gracefully, through the shutdown hook) when the supervising process is gone. */
  private static void watchParent(long pid, PrintWriter err) {
    Optional<ProcessHandle> parent = ProcessHandle.of(pid);
    if (parent.isEmpty()) {
      err.println("kvstore node: parent process " + pid + " is gone; stopping");
      err.flush();
      System.exit(0);
    }
    parent
        .get()
        .onExit()
        .thenRun(
            () -> {
              err.println("kvstore node: parent process " + pid + " exited; stopping");
              err.flush();
              System.exit(0);
            });
  }

  private static void stopGracefully(StandaloneNode node, PrintWriter out, PrintWriter err) {
    ProcessExit.hookStarted();
    Thread closer = new Thread(node::close, "kvstore-close");
    closer.start();
    try {
      closer.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      err.println(
          "kvstore node: graceful stop did not finish within " + STOP_TIMEOUT_SECONDS + " s");
      err.flush();
      Runtime.getRuntime().halt(1);
    }
    out.println(node.stoppedLine());
    out.flush();
    ProcessExit.finishGracefulStop();
  }

  /**
   * Resolves and validates the flags (and {@code $PORT}).
   *
   * @throws ParameterException naming the first invalid flag
   */
  NodeSettings settings() {
    int http = httpPort != null ? checkPort(httpPort, "--http-port", 0) : portFromEnv();
    int cluster = clusterPort != null ? checkPort(clusterPort, "--cluster-port", 0) : 0;
    if (clusterPort == null && http != 0) {
      cluster = http + CLUSTER_PORT_OFFSET;
      if (cluster > 65535) {
        throw usage(
            "the default cluster port (HTTP port + "
                + CLUSTER_PORT_OFFSET
                + " = "
                + cluster
                + ") is out of range; set --cluster-port");
      }
    }
    if (cluster != 0 && cluster == http) {
      throw usage("--cluster-port must differ from the HTTP port (" + http + ")");
    }
    if (nodeId != null && !NODE_ID.matcher(nodeId).matches()) {
      throw usage(
          "invalid --node-id '"
              + nodeId
              + "': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    Optional<String> name =
        nodeId != null
            ? Optional.of(nodeId)
            : http != 0 ? Optional.of("node-" + http) : Optional.empty();
    List<Endpoint> seedList = new ArrayList<>();
    for (String seed : seeds) {
      seedList.add(parseSeed(seed));
    }
    if (bootstrapExpect < 1) {
      throw usage("--bootstrap-expect must be at least 1, got " + bootstrapExpect);
    }
    if (maxValueBytes < 1) {
      throw usage("--max-value-bytes must be positive, got " + maxValueBytes);
    }
    if (partitions < 1) {
      throw usage("--partitions must be positive, got " + partitions);
    }
    if (httpThreads < 0 || httpThreads > 64) {
      throw usage("--http-threads must be in 0..64, got " + httpThreads);
    }
    if (bind.isBlank()) {
      throw usage("--bind must not be blank");
    }
    Duration grace = parseGrace(deadMemberGrace);
    String advertise = advertiseHost != null ? advertiseHost : defaultAdvertiseHost(bind);
    if (advertise.isBlank()) {
      throw usage("--advertise-host must not be blank");
    }
    return new NodeSettings(
        name,
        bind,
        advertise,
        http,
        cluster,
        seedList,
        bootstrapExpect,
        maxValueBytes,
        partitions,
        grace,
        httpThreads);
  }

  /** A wildcard bind address is not reachable as such; URLs then name the loopback address. */
  static String defaultAdvertiseHost(String bindHost) {
    String h = bindHost.trim();
    boolean wildcard =
        h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") || h.equals("0:0:0:0:0:0:0:0");
    return wildcard ? "127.0.0.1" : h;
  }

  private int portFromEnv() {
    String value = env.apply(PORT_ENV);
    if (value == null || value.isBlank()) {
      return DEFAULT_HTTP_PORT;
    }
    int port;
    try {
      port = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw usage("invalid $" + PORT_ENV + " '" + value + "': expected a port number 0-65535");
    }
    return checkPort(port, "$" + PORT_ENV, 0);
  }

  private Duration parseGrace(String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage(
          "invalid --dead-member-grace '"
              + text
              + "': expected a non-negative duration such as 30s, 500ms or 2m");
    }
  }

  private Endpoint parseSeed(String seed) {
    Endpoint endpoint;
    try {
      endpoint = Endpoint.parse(seed);
    } catch (IllegalArgumentException e) {
      throw usage("invalid --seeds entry '" + seed + "': " + e.getMessage());
    }
    if (endpoint.port() == 0) {
      throw usage("invalid --seeds entry '" + seed + "': port must be 1-65535");
    }
    return endpoint;
  }

  private int checkPort(int port, String what, int min) {
    if (port < min || port > 65535) {
      throw usage(what + " must be " + min + "-65535, got " + port);
    }
    return port;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
