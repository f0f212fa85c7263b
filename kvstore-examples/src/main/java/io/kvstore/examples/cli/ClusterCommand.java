package io.kvstore.examples.cli;

import io.kvstore.examples.bench.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore cluster}: starts N local node processes (the same jar running {@code node}), wired
 * to each other as seeds, and stops them all on SIGTERM or SIGINT.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Starts N local node processes wired to each other, in the foreground.",
      "Node i (from 0) gets HTTP port P+i and cluster port P+1000+i; every node has the others"
          + " as seeds and --bootstrap-expect N.",
      "Each output line of a node is prefixed with its node id. Ctrl-C or SIGTERM stops them all"
          + " (a node still stopping after "
          + ClusterCommand.STOP_TIMEOUT_SECONDS
          + " s is killed); a node that dies is reported.",
      "",
    },
    footer = {
      "",
      "Exit status: 0 after a graceful stop, 1 if a node fails to start or all nodes died, 2 on"
          + " invalid flags.",
    })
final class ClusterCommand implements Callable<Integer> {
  static final int MAX_NODES = 32;
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
  /**
   * How long the nodes may take to stop before they are killed. Each node hands its partitions off
   * to the others first; when the whole cluster stops that takes a few seconds (they end up on the
   * last node, which stops with them), and since every node is stopping, a node still busy after
   * this long loses nothing that the stop would not discard anyway.
   */
  static final int STOP_TIMEOUT_SECONDS = 20;

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(STOP_TIMEOUT_SECONDS);

  @Spec private CommandSpec spec;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "3",
      description = "Number of node processes, 1-" + MAX_NODES + " (default: ${DEFAULT-VALUE}).")
  private int nodes;

  @Option(
      names = "--base-port",
      paramLabel = "P",
      defaultValue = "8000",
      description =
          "HTTP port of the first node; node i gets P+i, cluster port P+1000+i (default:"
              + " ${DEFAULT-VALUE}).")
  private int basePort;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description = "Address the nodes listen on (default: ${DEFAULT-VALUE}).")
  private String bind;

  @Option(
      names = "--dead-member-grace",
      paramLabel = "DURATION",
      description =
          "Passed to every node: how long a node may stay dead before the cluster removes it,"
              + " such as 30s, 500ms or 2m (default: the node's default, 30s).")
  private String deadMemberGrace;

  @Override
  public Integer call() {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClusterSupervisor supervisor = new ClusterSupervisor(out, err);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  ProcessExit.hookStarted();
                  supervisor.stopAll(STOP_TIMEOUT);
                  ProcessExit.finishGracefulStop();
                },
                "kvstore-cluster-shutdown"));
    List<String> java = javaCommand();
    try {
      for (int i = 0; i < nodes; i++) {
        supervisor.launch(
            nodeName(i), httpUrl(i), concat(java, nodeArgs(i, ProcessHandle.current().pid())));
      }
    } catch (IOException e) {
      err.println("kvstore cluster: cannot start a node process: " + e.getMessage());
      supervisor.stopAll(STOP_TIMEOUT);
      return 1;
    }
    Optional<String> failure = supervisor.awaitReady(STARTUP_TIMEOUT);
    if (failure.isPresent()) {
      err.println("kvstore cluster: " + failure.get() + "; stopping the other nodes");
      err.flush();
      supervisor.stopAll(STOP_TIMEOUT);
      return 1;
    }
    out.println("kvstore cluster ready: " + supervisor.summary());
    out.flush();
    supervisor.awaitAllExited();
    return 1;
  }

  private void validate() {
    if (nodes < 1 || nodes > MAX_NODES) {
      throw usage("--nodes must be 1-" + MAX_NODES + ", got " + nodes);
    }
    if (basePort < 1 || basePort > 65535) {
      throw usage("--base-port must be 1-65535, got " + basePort);
    }
    int lastCluster = basePort + NodeCommand.CLUSTER_PORT_OFFSET + nodes - 1;
    if (lastCluster > 65535) {
      throw usage(
          "--base-port "
              + basePort
              + " is too high for "
              + nodes
              + " node(s): the last cluster port would be "
              + lastCluster);
    }
    if (bind.isBlank()) {
      throw usage("--bind must not be blank");
    }
    if (deadMemberGrace != null) {
      try {
        Durations.parse(deadMemberGrace);
      } catch (IllegalArgumentException e) {
        throw usage(
            "invalid --dead-member-grace '"
                + deadMemberGrace
                + "': expected a non-negative duration such as 30s, 500ms or 2m");
      }
    }
  }

  static String nodeName(int index) {
    return "node-" + (index + 1);
  }

  private String httpUrl(int index) {
    return "http://" + NodeCommand.defaultAdvertiseHost(bind) + ":" + (basePort + index);
  }

  /** The {@code node} arguments of node {@code index}: every other node is a seed. */
  List<String> nodeArgs(int index, long parentPid) {
    String host = NodeCommand.defaultAdvertiseHost(bind);
    List<String> seeds = new ArrayList<>();
    for (int j = 0; j < nodes; j++) {
      if (j != index) {
        seeds.add(host + ":" + (basePort + NodeCommand.CLUSTER_PORT_OFFSET + j));
      }
    }
    List<String> args = new ArrayList<>();
    args.add("node");
    args.addAll(List.of("--node-id", nodeName(index)));
    args.addAll(List.of("--http-port", Integer.toString(basePort + index)));
    args.addAll(
        List.of(
            "--cluster-port",
            Integer.toString(basePort + NodeCommand.CLUSTER_PORT_OFFSET + index)));
    args.addAll(List.of("--bind", bind));
    if (!seeds.isEmpty()) {
      args.addAll(List.of("--seeds", String.join(",", seeds)));
    }
    args.addAll(List.of("--bootstrap-expect", Integer.toString(nodes)));
    if (deadMemberGrace != null) {
      args.addAll(List.of("--dead-member-grace", deadMemberGrace));
    }
    args.addAll(List.of("--parent-pid", Long.toString(parentPid)));
    return args;
  }

  /**
   * This JVM's java executable, options (minus debugger and agents, which would clash) and class
   * path, running {@link KvstoreCli}.
   */
  static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib:")
          && !arg.startsWith("-javaagent:")
          && !arg.startsWith("-Xrunjdwp")
          && !arg.startsWith("-agentpath:")) {
        cmd.add(arg);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(KvstoreCli.class.getName());
    return cmd;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
