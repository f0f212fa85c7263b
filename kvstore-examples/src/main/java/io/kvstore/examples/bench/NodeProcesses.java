package io.kvstore.examples.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Node processes the load generator starts itself ({@code --spawn-nodes N}): each is {@code java
 * -jar <node jar> node ...} on loopback with free ports, the nodes seeded with each other, their
 * output in a log file each. The generator can then kill one of them with SIGKILL mid-run.
 *
 * <p>{@link #close()} stops every process still alive: SIGTERM, then SIGKILL after a grace period.
 */
final class NodeProcesses implements AutoCloseable {
  private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final List<Process> processes = new ArrayList<>();
  private final List<URI> urls = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();

  private NodeProcesses() {}

  /**
   * Starts {@code count} nodes from {@code jar} and waits until each prints a line containing
   * {@code ready}.
   *
   * @param logDir where each node's output goes
   * @throws IOException if a node cannot start or is not ready within a minute (the others are
   *     stopped)
   */
  static NodeProcesses start(int count, Path jar, Path logDir) throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("--spawn-nodes must be at least 1: " + count);
    }
    if (!Files.isRegularFile(jar)) {
      throw new IOException("node jar not found: " + jar + " (build it, or pass --node-jar)");
    }
    Files.createDirectories(logDir);
    int[] httpPorts = new int[count];
    int[] clusterPorts = new int[count];
    for (int i = 0; i < count; i++) {
      httpPorts[i] = freePort();
      clusterPorts[i] = freePort();
    }
    NodeProcesses nodes = new NodeProcesses();
    try {
      String java = ProcessHandle.current().info().command().orElse("java");
      for (int i = 0; i < count; i++) {
        List<String> seeds = new ArrayList<>();
        for (int j = 0; j < count; j++) {
          if (j != i) {
            seeds.add("127.0.0.1:" + clusterPorts[j]);
          }
        }
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar.toString(), "node"));
        cmd.addAll(List.of("--node-id", "bench-n" + (i + 1)));
        cmd.addAll(List.of("--http-port", Integer.toString(httpPorts[i])));
        cmd.addAll(List.of("--cluster-port", Integer.toString(clusterPorts[i])));
        cmd.addAll(List.of("--bind", "127.0.0.1"));
        if (!seeds.isEmpty()) {
          cmd.addAll(List.of("--seeds", String.join(",", seeds)));
          cmd.addAll(List.of("--bootstrap-expect", Integer.toString(count)));
        }
        Path log = logDir.resolve("node-" + (i + 1) + ".log");
        Process p =
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        nodes.processes.add(p);
        nodes.logs.add(log);
        nodes.urls.add(URI.create("http://127.0.0.1:" + httpPorts[i]));
      }
      for (int i = 0; i < count; i++) {
        nodes.awaitReady(i);
      }
      return nodes;
    } catch (IOException | RuntimeException e) {
      nodes.close();
      throw e;
    }
  }

  private void awaitReady(int i) throws IOException {
    long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
    Path log = logs.get(i);
    while (System.nanoTime() - deadline < 0) {
      if (Files.exists(log)
          && Files.readString(log, StandardCharsets.UTF_8).toLowerCase().contains("ready")) {
        return;
      }
      if (!processes.get(i).isAlive()) {
        throw new IOException("node " + (i + 1) + " exited; see " + log);
      }
      try {
        processes.get(i).waitFor(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for node " + (i + 1));
      }
    }
    throw new IOException("node " + (i + 1) + " not ready within a minute; see " + log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** The nodes' HTTP base URLs, in start order. */
  List<URI> urls() {
    return List.copyOf(urls);
  }

  /** A killer of the last node started (SIGKILL). */
  NodeKiller killerOfLast() {
    return () -> {
      int i = processes.size() - 1;
      Process p = processes.get(i);
      if (!p.isAlive()) {
        throw new IllegalStateException("node " + (i + 1) + " is not running");
      }
      p.destroyForcibly();
      return "node " + (i + 1) + " (pid " + p.pid() + ", " + urls.get(i) + ")";
    };
  }

  /**
   * The default node jar: the jar this class runs from, if it is one, else {@code
   * kvstore-examples/target/kvstore-node.jar} under the working directory.
   */
  static Path defaultJar() {
    try {
      Path self =
          Paths.get(
              NodeProcesses.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(self) && self.toString().endsWith(".jar")) {
        return self;
      }
    } catch (Exception e) {
      // Fall through to the build location.
    }
    return Paths.get("kvstore-examples", "target", "kvstore-node.jar");
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
