package io.kvstore.examples.cli;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code kvstore node} run from the shaded jar, restartable with the same flags. Its output
 * (stdout and stderr together) goes to a log file per start, which a thread reads line by line to
 * notice the {@code ready} and {@code stopped} lines.
 */
final class NodeProcess {
  private static final Logger logger = LoggerFactory.getLogger(NodeProcess.class);
  private final Path jar;
  private final Path logDir;
  final String name;
  final int httpPort;
  final int clusterPort;
  private final List<String> args;
  private int starts;
  private Process process;
  private Path log;
  private CompletableFuture<String> ready;
  private CompletableFuture<String> stopped;

  /**
   * @param extraArgs node flags besides the node id, ports and bind address (seeds, bootstrap
   *     expectation, grace)
   */
  NodeProcess(
      Path jar, Path logDir, String name, int httpPort, int clusterPort, List<String> extraArgs) {
    this.jar = jar;
    this.logDir = logDir;
    this.name = name;
    this.httpPort = httpPort;
    this.clusterPort = clusterPort;
    List<String> a = new ArrayList<>();
    a.add("node");
    a.addAll(List.of("--node-id", name));
    a.addAll(List.of("--http-port", Integer.toString(httpPort)));
    a.addAll(List.of("--cluster-port", Integer.toString(clusterPort)));
    a.addAll(List.of("--bind", "127.0.0.1"));
    a.addAll(extraArgs);
    this.args = List.copyOf(a);
  }

  String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  String clusterAddress() {
    return "127.0.0.1:" + clusterPort;
  }

  /** Starts the process (again), with the same flags as every time before. */
  synchronized NodeProcess start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    starts++;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    log = logDir.resolve(name + "-" + starts + ".log");
    ready = new CompletableFuture<>();
    stopped = new CompletableFuture<>();
    try {
      Files.createDirectories(logDir);
      Files.writeString(log, String.join(" ", cmd) + System.lineSeparator());
      process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pump(process.getInputStream(), log, ready, stopped);
    logger.info("started {} (pid {}): {}", name, process.pid(), String.join(" ", args));
    return this;
  }

  private void pump(
      InputStream in,
      Path file,
      CompletableFuture<String> readyLine,
      CompletableFuture<String> stoppedLine) {
    String prefix = "kvstore node " + name + " ";
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                  BufferedWriter w =
                      Files.newBufferedWriter(
                          file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND)) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                  w.write(l);
                  w.newLine();
                  w.flush();
                  if (l.startsWith(prefix + "ready")) {
                    readyLine.complete(l);
                  } else if (l.equals(prefix + "stopped")) {
                    stoppedLine.complete(l);
                  }
                }
              } catch (IOException e) {
                // The stream closed: the process ended or was killed.
              } finally {
                readyLine.completeExceptionally(new IOException("output ended"));
                stoppedLine.completeExceptionally(new IOException("output ended"));
              }
            },
            "elastic-test-pump-" + name + "-" + starts);
    t.setDaemon(true);
    t.start();
  }

  /** Waits (bounded) for this start's ready line; false if none came in time. */
  boolean awaitReadyLine(Duration timeout) throws InterruptedException {
    CompletableFuture<String> f;
    synchronized (this) {
      f = ready;
    }
    try {
      logger.info("{}", f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  /** Whether this start printed its stopped line (after its output ended). */
  boolean printedStopped(Duration timeout) throws InterruptedException {
    CompletableFuture<String> f;
    synchronized (this) {
      f = stopped;
    }
    try {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  synchronized long pid() {
    return process.pid();
  }

  /** SIGTERM: a graceful stop (hand-off, then leave). */
  synchronized void sigterm() {
    // Through the handle: Process.destroy() would also close our end of the pipe.
    process.toHandle().destroy();
  }

  /** SIGKILL: the node dies at once. */
  synchronized void kill9() {
    process.toHandle().destroyForcibly();
  }

  /** Waits (bounded) for the process to end: its exit status, or null if it still runs. */
  Integer awaitExit(Duration timeout) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? p.exitValue() : null;
  }

  /** Kills the process if it still runs (cleanup); bounded. */
  void destroy() throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p != null) {
      p.toHandle().destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  synchronized Path log() {
    return log;
  }

  /** The last lines of this start's log. */
  String tail(int lines) {
    Path file = log();
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join(
          System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  @Override
  public String toString() {
    return name + "(" + url() + ", cluster " + clusterAddress() + ")";
  }
}
