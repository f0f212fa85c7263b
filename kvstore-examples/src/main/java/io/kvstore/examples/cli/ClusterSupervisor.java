package io.kvstore.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs node processes for {@code kvstore cluster}: relays their output with a node-id prefix,
 * notices readiness and deaths, and stops them.
 *
 * <p>Events (a node printed its ready line, a node exited) go through one queue that the command's
 * thread consumes; {@link #stopAll} may run concurrently from the shutdown hook.
 */
final class ClusterSupervisor {
  private static final long PUMP_DRAIN_MILLIS = 2_000;

  private final PrintWriter out;
  private final PrintWriter err;
  private final List<Child> children = new ArrayList<>();
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private volatile boolean stopping;

  private record Child(String name, String httpUrl, Process process, List<Thread> pumps) {}

  private record Event(Child child, boolean exited) {}

  ClusterSupervisor(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  /** Starts one node process and the threads relaying its output. */
  synchronized void launch(String name, String httpUrl, List<String> command) throws IOException {
    if (stopping) {
      throw new IOException("stopping");
    }
    Process process = new ProcessBuilder(command).start();
    List<Thread> pumps = new ArrayList<>();
    Child child = new Child(name, httpUrl, process, pumps);
    pumps.add(pump(child, process.getInputStream(), out, true));
    pumps.add(pump(child, process.getErrorStream(), err, false));
    children.add(child);
    out.println("kvstore cluster: started " + name + " (pid " + process.pid() + ")");
    out.flush();
    process.onExit().thenRun(() -> events.add(new Event(child, true)));
  }

  private Thread pump(Child child, InputStream in, PrintWriter to, boolean watchReady) {
    String prefix = child.name() + " | ";
    Thread t =
        new Thread(
            () -> {
              boolean ready = false;
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  to.println(prefix + line);
                  to.flush();
                  if (watchReady && !ready && line.contains(" ready")) {
                    ready = true;
                    events.add(new Event(child, false));
                  }
                }
              } catch (IOException e) {
                // The process closed its stream (it exited); its exit is reported separately.
              }
            },
            "kvstore-cluster-" + child.name() + (watchReady ? "-out" : "-err"));
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Waits until every node printed its ready line.
   *
   * @return the reason if a node exited first or the timeout passed, else empty
   */
  Optional<String> awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int ready = 0;
    int total = snapshot().size();
    while (ready < total) {
      Event e;
      try {
        e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted while waiting for the nodes");
      }
      if (e == null) {
        return Optional.of("the nodes were not ready within " + timeout.toSeconds() + " s");
      }
      if (e.exited()) {
        drain(e.child());
        return Optional.of(
            e.child().name()
                + " exited with status "
                + e.child().process().exitValue()
                + " before it was ready");
      }
      ready++;
    }
    return Optional.empty();
  }

  /** Blocks until every node has exited, reporting each exit that was not asked for. */
  void awaitAllExited() {
    int alive = (int) snapshot().stream().filter(c -> c.process().isAlive()).count();
    while (alive > 0) {
      Event e;
      try {
        e = events.take();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return;
      }
      if (!e.exited()) {
        continue;
      }
      alive--;
      if (!stopping) {
        drain(e.child());
        err.println(
            "kvstore cluster: "
                + e.child().name()
                + " exited unexpectedly with status "
                + e.child().process().exitValue()
                + "; "
                + alive
                + " node(s) still running");
        err.flush();
      }
    }
    if (!stopping) {
      err.println("kvstore cluster: every node has exited");
      err.flush();
    }
  }

  /** Where each node serves, for the ready line. */
  String summary() {
    return snapshot().stream()
        .map(c -> c.name() + "=" + c.httpUrl())
        .collect(Collectors.joining(" ", snapshot().size() + " node(s): ", ""));
  }

  /**
   * Asks every node to stop (SIGTERM), waits up to {@code timeout}, kills what is left, relays the
   * remaining output and prints {@code stopped}. Idempotent.
   */
  void stopAll(Duration timeout) {
    List<Child> all;
    synchronized (this) {
      if (stopping) {
        return;
      }
      stopping = true;
      all = List.copyOf(children);
    }
    for (Child c : all) {
      // SIGTERM through the handle: Process.destroy() would also close our ends of the pipes and
      // lose the node's last lines (its "stopped" line).
      c.process().toHandle().destroy();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Child c : all) {
      try {
        if (!c.process().waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          err.println("kvstore cluster: " + c.name() + " did not stop in time; killing it");
          c.process().toHandle().destroyForcibly();
          c.process().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        c.process().toHandle().destroyForcibly();
      }
      drain(c);
    }
    out.println("kvstore cluster stopped");
    out.flush();
    err.flush();
  }

  /** Lets a child's output pumps relay what is left (bounded). */
  private static void drain(Child c) {
    for (Thread t : c.pumps()) {
      try {
        t.join(PUMP_DRAIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private synchronized List<Child> snapshot() {
    return List.copyOf(children);
  }
}
