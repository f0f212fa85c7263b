package io.kvstore.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the real shaded jar ({@code java -jar kvstore-node.jar ...}) as child processes: the
 * launcher contract as users and scripts see it. Runs in the integration-test phase (failsafe),
 * after {@code package} built the jar.
 *
 * <p>SIGTERM is sent with {@code ProcessHandle.destroy()}: {@code Process.destroy()} also sends
 * SIGTERM on Linux but closes this side's pipes, which would lose the {@code stopped} line.
 */
class LauncherProcessTest {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final List<Child> started = new ArrayList<>();
  private final List<ProcessHandle> descendants = new ArrayList<>();

  @AfterEach
  void killEverythingStarted() throws InterruptedException {
    for (ProcessHandle h : descendants) {
      h.destroyForcibly();
    }
    for (Child c : started) {
      c.process.descendants().forEach(ProcessHandle::destroyForcibly);
      c.process.destroyForcibly();
      c.process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void nodeServesTheSeedSequenceAndStopsGracefullyOnSigterm() throws Exception {
    int port = freePort();
    Child node = start("node", "--http-port", Integer.toString(port), "--bind", "127.0.0.1");

    String ready = node.awaitLine(l -> l.contains("ready"), READY_TIMEOUT);
    String url = "http://127.0.0.1:" + port;
    assertThat(ready)
        .isEqualTo(
            "kvstore node node-"
                + port
                + " ready: http="
                + url
                + " cluster=127.0.0.1:"
                + (port + 1000));

    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(URI.create(url + "/kv/mykey"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"test123\"}")));
    assertThat(put.statusCode()).isBetween(200, 299);
    HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(url + "/kv/mykey")).GET());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(get.body()).get("value").asText()).isEqualTo("test123");
    HttpResponse<String> delete =
        send(HttpRequest.newBuilder(URI.create(url + "/kv/mykey")).DELETE());
    assertThat(delete.statusCode()).isBetween(200, 299);
    HttpResponse<String> gone = send(HttpRequest.newBuilder(URI.create(url + "/kv/mykey")).GET());
    assertThat(gone.statusCode()).isEqualTo(404);
    HttpResponse<String> health = send(HttpRequest.newBuilder(URI.create(url + "/health")).GET());
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode healthJson = JSON.readTree(health.body());
    assertThat(healthJson.isObject()).isTrue();

    node.process.toHandle().destroy(); // SIGTERM
    assertThat(node.awaitLine(l -> l.contains("stopped"), STOP_TIMEOUT))
        .isEqualTo("kvstore node node-" + port + " stopped");
    assertThat(node.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(node.process.exitValue()).isZero();
  }

  @Test
  void aNodeRemovedByTheOperatorStopsItsProcess() throws Exception {
    int firstHttp = freePort();
    int firstCluster = freePort();
    int secondHttp = freePort();
    int secondCluster = freePort();
    Child first = start("node", "--node-id", "first", "--http-port", Integer.toString(firstHttp),
        "--cluster-port", Integer.toString(firstCluster), "--bind", "127.0.0.1");
    first.awaitLine(l -> l.contains("ready"), READY_TIMEOUT);
    Child second = start("node", "--node-id", "second", "--http-port", Integer.toString(secondHttp),
        "--cluster-port", Integer.toString(secondCluster), "--bind", "127.0.0.1",
        "--seeds", "127.0.0.1:" + firstCluster);
    second.awaitLine(l -> l.contains("ready"), READY_TIMEOUT);
    String url = "http://127.0.0.1:" + firstHttp;
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      JsonNode cluster =
          JSON.readTree(send(HttpRequest.newBuilder(URI.create(url + "/cluster")).GET()).body());
      if (cluster.path("members").size() == 2 && cluster.path("previous_members").isEmpty()) {
        break;
      }
      assertThat(System.nanoTime()).as("the second node becomes a member").isLessThan(deadline);
      Thread.sleep(200);
    }

    HttpResponse<String> removal =
        send(HttpRequest.newBuilder(URI.create(url + "/cluster/members/second")).DELETE());
    assertThat(removal.statusCode()).as(removal.body()).isEqualTo(202);

    assertThat(second.awaitLine(l -> l.startsWith("kvstore node: removed"), READY_TIMEOUT))
        .isEqualTo("kvstore node: removed from the cluster; stopping (restart it to join again)");
    assertThat(second.awaitLine(l -> l.endsWith(" stopped"), STOP_TIMEOUT))
        .isEqualTo("kvstore node second stopped");
    assertThat(second.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(second.process.exitValue()).isZero();
    // The member that stays keeps serving.
    awaitStatus(put(url, "after", "1"), 200);
    assertThat(first.process.isAlive()).isTrue();
  }

  @Test
  void nodeRefusesAPortInUseWithExitCodeOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = Integer.toString(taken.getLocalPort());
      Child node = start("node", "--http-port", port, "--bind", "127.0.0.1");
      assertThat(node.process.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(node.process.exitValue()).isEqualTo(1);
      assertThat(node.awaitLine(l -> l.startsWith("kvstore node: "), STOP_TIMEOUT))
          .contains("address already in use");
    }
  }

  @Test
  void threeNodeClusterServesFromEveryNodeAndSurvivesKillNine() throws Exception {
    int base = freeBasePort(3);
    Child cluster = start("cluster", "--nodes", "3", "--base-port", Integer.toString(base));
    cluster.awaitLine(l -> l.startsWith("kvstore cluster ready"), READY_TIMEOUT);
    String[] urls = new String[3];
    for (int i = 0; i < 3; i++) {
      urls[i] = "http://127.0.0.1:" + (base + i);
    }
    // The seed's sequence, written through one node and read through the others. The cluster
    // forms just after the nodes serve HTTP: retry the first write while it answers 503.
    awaitStatus(put(urls[0], "mykey", "\"test123\""), 200);
    for (String url : urls) {
      HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(url + "/kv/mykey")).GET());
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(get.body()).get("value").asText()).isEqualTo("test123");
    }
    assertThat(send(HttpRequest.newBuilder(URI.create(urls[1] + "/kv/mykey")).DELETE()).statusCode())
        .isEqualTo(200);
    assertThat(send(HttpRequest.newBuilder(URI.create(urls[2] + "/kv/mykey")).GET()).statusCode())
        .isEqualTo(404);
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      assertThat(put(urls[i % 3], "k" + i, Integer.toString(i)).get().statusCode()).isEqualTo(200);
      acknowledged.add("k" + i);
    }

    // kill -9 the third node: reads and writes go on through the other two.
    ProcessHandle victim =
        cluster.process.descendants()
            .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(
                "--http-port " + (base + 2))).orElse(false))
            .findFirst()
            .orElseThrow();
    victim.destroyForcibly();
    assertThat(gone(victim, STOP_TIMEOUT)).isTrue();
    for (int i = 30; i < 60; i++) {
      // While the others have not yet suspected the dead node, a write it coordinated may end
      // as 504 (outcome unknown); retry those until it is acknowledged.
      awaitStatus(put(urls[i % 2], "k" + i, Integer.toString(i)), 200);
      acknowledged.add("k" + i);
    }
    for (String key : acknowledged) {
      for (int n = 0; n < 2; n++) {
        HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(urls[n] + "/kv/" + key)).GET());
        assertThat(get.statusCode()).as("%s through node %d", key, n).isEqualTo(200);
        assertThat(JSON.readTree(get.body()).get("value").asText()).isEqualTo(key.substring(1));
      }
    }
    cluster.process.toHandle().destroy(); // SIGTERM stops the rest
    assertThat(cluster.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  private interface Call {
    HttpResponse<String> get() throws Exception;
  }

  private static Call put(String url, String key, String json) {
    return () ->
        send(
            HttpRequest.newBuilder(URI.create(url + "/kv/" + key))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":" + json + "}")));
  }

  /** Repeats a call (bounded) until it answers {@code status}; 503 and 504 are retried. */
  private static void awaitStatus(Call call, int status) throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    HttpResponse<String> r = call.get();
    while (r.statusCode() != status && System.nanoTime() < deadline
        && (r.statusCode() == 503 || r.statusCode() == 504)) {
      Thread.sleep(100);
      r = call.get();
    }
    assertThat(r.statusCode()).as("last answer: %s", r.body()).isEqualTo(status);
  }

  /** A base port such that base..base+n-1 and the cluster ports 1000 above are free. */
  private static int freeBasePort(int n) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20000 + (int) (Math.random() * 20000);
      boolean free = true;
      for (int i = 0; i < n && free; i++) {
        free = bindable(base + i) && bindable(base + 1000 + i);
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no free port range found");
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void singleNodeClusterServesAndSigtermToTheParentStopsTheChild() throws Exception {
    int port = freePort();
    Child cluster = start("cluster", "--nodes", "1", "--base-port", Integer.toString(port));

    cluster.awaitLine(l -> l.startsWith("kvstore cluster ready"), READY_TIMEOUT);
    assertThat(cluster.lines()).anyMatch(l -> l.startsWith("node-1 | kvstore node node-1 ready"));
    List<ProcessHandle> children = cluster.process.toHandle().children().toList();
    assertThat(children).hasSize(1);
    ProcessHandle child = children.get(0);
    descendants.add(child);
    HttpResponse<String> health =
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).GET());
    assertThat(health.statusCode()).isEqualTo(200);

    cluster.process.toHandle().destroy(); // SIGTERM to the parent only
    cluster.awaitLine(l -> l.equals("kvstore cluster stopped"), STOP_TIMEOUT);
    assertThat(cluster.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(cluster.process.exitValue()).isZero();
    assertThat(cluster.lines()).contains("node-1 | kvstore node node-1 stopped");
    assertThat(gone(child, STOP_TIMEOUT)).as("child %s stopped", child.pid()).isTrue();
  }

  @Test
  void childNodeExitsWhenTheClusterParentIsKilled() throws Exception {
    int port = freePort();
    Child cluster = start("cluster", "--nodes", "1", "--base-port", Integer.toString(port));
    cluster.awaitLine(l -> l.startsWith("kvstore cluster ready"), READY_TIMEOUT);
    ProcessHandle child = cluster.process.toHandle().children().findFirst().orElseThrow();
    descendants.add(child);

    cluster.process.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook in the parent
    assertThat(cluster.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(gone(child, STOP_TIMEOUT)).as("orphaned child %s exited", child.pid()).isTrue();
  }

  @Test
  void clusterReportsANodeThatFailsToStartAndExitsWithOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = Integer.toString(taken.getLocalPort());
      Child cluster = start("cluster", "--nodes", "1", "--base-port", port);
      assertThat(cluster.process.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(cluster.process.exitValue()).isEqualTo(1);
      assertThat(cluster.awaitLine(l -> l.contains("before it was ready"), STOP_TIMEOUT))
          .isEqualTo(
              "kvstore cluster: node-1 exited with status 1 before it was ready;"
                  + " stopping the other nodes");
      assertThat(cluster.lines())
          .anyMatch(l -> l.startsWith("node-1 | kvstore node: cannot listen on 127.0.0.1:" + port));
    }
  }

  @Test
  void clusterReportsANodeThatDiesAfterStarting() throws Exception {
    Child cluster = start("cluster", "--nodes", "1", "--base-port", Integer.toString(freePort()));
    cluster.awaitLine(l -> l.startsWith("kvstore cluster ready"), READY_TIMEOUT);
    ProcessHandle child = cluster.process.toHandle().children().findFirst().orElseThrow();
    descendants.add(child);

    child.destroyForcibly(); // SIGKILL: the node dies without stopping
    assertThat(cluster.awaitLine(l -> l.contains("exited unexpectedly"), STOP_TIMEOUT))
        .isEqualTo(
            "kvstore cluster: node-1 exited unexpectedly with status 137; 0 node(s) still running");
    assertThat(cluster.process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(cluster.process.exitValue()).isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Whether a process (not necessarily our child) has ended within {@code timeout}. A process that
   * exited but was not reaped yet (a zombie) counts as ended.
   */
  private static boolean gone(ProcessHandle h, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!h.isAlive() || zombie(h.pid())) {
        return true;
      }
      try {
        h.onExit().get(100, TimeUnit.MILLISECONDS);
        return true;
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // still running: poll again until the deadline
      }
    }
    return !h.isAlive() || zombie(h.pid());
  }

  private static boolean zombie(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String s = Files.readString(stat);
      int close = s.lastIndexOf(')');
      return close > 0 && close + 2 < s.length() && s.charAt(close + 2) == 'Z';
    } catch (IOException e) {
      return !Files.exists(stat);
    }
  }

  private Child start(String... args) throws IOException {
    Path jar = Path.of(System.getProperty("kvstore.node.jar", "target/kvstore-node.jar"));
    if (!Files.isRegularFile(jar)) {
      fail("the shaded jar %s is missing: run mvn verify (it is built in the package phase)", jar);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(List.of(args));
    Child c = new Child(new ProcessBuilder(cmd).start());
    started.add(c);
    return c;
  }

  /** A child process with its stdout and stderr lines collected by two threads. */
  private static final class Child {
    private static final String EOF = "\u0000eof";
    final Process process;
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private int open = 2;

    Child(Process process) {
      this.process = process;
      pump(process.getInputStream(), "out");
      pump(process.getErrorStream(), "err");
    }

    private void pump(InputStream in, String name) {
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  for (String l = r.readLine(); l != null; l = r.readLine()) {
                    queue.add(l);
                  }
                } catch (IOException e) {
                  // stream closed: the process ended or was killed
                } finally {
                  queue.add(EOF);
                }
              },
              "test-pump-" + process.pid() + "-" + name);
      t.setDaemon(true);
      t.start();
    }

    /** Waits (bounded) for the first line, new or already seen, that matches. */
    synchronized String awaitLine(Predicate<String> match, Duration timeout)
        throws InterruptedException {
      for (String l : seen) {
        if (match.test(l)) {
          return l;
        }
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        String l = open > 0 && left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
        if (l == null) {
          return fail(
              "no matching line within %s (streams open: %d); output so far:%n%s",
              timeout, open, String.join(System.lineSeparator(), seen));
        }
        if (l.equals(EOF)) {
          open--;
          continue;
        }
        seen.add(l);
        if (match.test(l)) {
          return l;
        }
      }
    }

    /** Every line read so far (including those still queued). */
    synchronized List<String> lines() {
      List<String> drained = new ArrayList<>();
      queue.drainTo(drained);
      for (String l : drained) {
        if (l.equals(EOF)) {
          open--;
        } else {
          seen.add(l);
        }
      }
      return List.copyOf(seen);
    }
  }
}
