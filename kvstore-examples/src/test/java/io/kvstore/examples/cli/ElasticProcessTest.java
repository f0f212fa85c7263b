package io.kvstore.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elastic membership with real node processes (the shaded jar): a cluster grows one node at a
 * time, shrinks by graceful stops and by a {@code kill -9}, restarts rolling, and a killed node
 * comes back under its name; through all of it a background writer keeps writing, and every write
 * the cluster acknowledged must stay readable through every node.
 *
 * <p>"Settled" means: every running node's {@code GET /cluster} shows the same epoch, exactly the
 * running nodes' current identities as members, no previous members and no migrations, and every
 * running node's {@code GET /health} says {@code ready}. Every wait is bounded and its failure
 * message carries each node's {@code /cluster} and {@code /health}. Node logs are kept under
 * {@code target/elastic-process/}.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class ElasticProcessTest {
  private static final Logger log = LoggerFactory.getLogger(ElasticProcessTest.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
  /** The node's own stop timeout is 75 s (a hand-off is bounded at 60 s); a little more here. */
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(80);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final int PRELOAD_IN_FLIGHT = 32;
  private static final int VERIFY_IN_FLIGHT = 32;
  private static final int SAMPLE = 500;
  private static final Set<Integer> USED_PORTS = new HashSet<>();

  private final KvHttp http = new KvHttp();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<AckedWriter> writers = new ArrayList<>();
  private final Set<String> verifiedWriterKeys = new HashSet<>();
  private final Random random = new Random(42);
  private Path jar;
  private Path logs;
  private long started;

  @BeforeEach
  void locateJar(TestInfo info) {
    jar = Path.of(System.getProperty("kvstore.node.jar", "target/kvstore-node.jar"));
    if (!Files.isRegularFile(jar)) {
      fail("the shaded jar %s is missing: run mvn verify (it is built in the package phase)", jar);
    }
    logs =
        jar.toAbsolutePath()
            .getParent()
            .resolve("elastic-process")
            .resolve(info.getTestMethod().orElseThrow().getName());
    started = System.nanoTime();
  }

  /** A progress line with the time since the test started, to read alongside the node logs. */
  private void step(String what) {
    AckedWriter writer = writers.isEmpty() ? null : writers.get(writers.size() - 1);
    log.info(
        "{} ms: {}{}",
        (System.nanoTime() - started) / 1_000_000,
        what,
        writer == null ? "" : " (" + writer.summary() + ")");
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    for (AckedWriter w : writers) {
      w.close();
    }
    for (NodeProcess n : nodes) {
      n.destroy();
    }
  }

  // --- the scenarios ---------------------------------------------------------------------------

  @Test
  void growsFromOneToFiveNodesAndShrinksToTwoWithoutLosingAcknowledgedWrites() throws Exception {
    List<String> grace = List.of("--dead-member-grace", "3s");
    NodeProcess first = node("e1", grace).start();
    awaitReady(first);
    List<NodeProcess> live = new ArrayList<>(List.of(first));
    awaitSettled(live, "the first node alone");

    Map<String, String> preload = entries("k", 10_000);
    step("writing " + preload.size() + " keys");
    Map<String, String> loaded = http.putAll(urls(live), preload, PRELOAD_IN_FLIGHT);
    step("wrote them");
    assertThat(loaded).as("writes acknowledged by a one-node cluster").hasSize(preload.size());

    AckedWriter writer = writer("w", 40, live);
    for (int i = 2; i <= 5; i++) {
      List<String> join = new ArrayList<>(List.of("--seeds", first.clusterAddress()));
      join.addAll(grace);
      NodeProcess n = node("e" + i, join).start();
      awaitReady(n);
      live.add(n);
      awaitSettled(live, "after e" + i + " joined");
      writer.targets(urls(live));
      awaitWriterProgress(writer, live);
      verifySample(live, preload, writer, "after e" + i + " joined");
    }

    // Shrink: two graceful stops (the first node, which the others joined through, among them)...
    for (String name : List.of("e5", "e1")) {
      NodeProcess victim = named(live, name);
      live.remove(victim);
      writer.targets(urls(live));
      stopGracefully(victim);
      awaitSettled(live, "after " + name + " stopped gracefully");
      awaitWriterProgress(writer, live);
      verifySample(live, preload, writer, "after " + name + " stopped gracefully");
    }
    // ...then one kill -9: the dead member is removed after its 3 s grace.
    NodeProcess killed = named(live, "e3");
    live.remove(killed);
    writer.targets(urls(live));
    step("kill -9 " + killed.name);
    killed.kill9();
    awaitExit(killed);
    awaitSettled(live, "after e3 was killed (dead-member grace 3 s)");
    awaitWriterProgress(writer, live);

    writer.close();
    verifyAll(live, preload, writer, "at the end, on " + names(live));
  }

  @Test
  void rollingRestartOfThreeNodesKeepsEveryAcknowledgedWrite() throws Exception {
    List<NodeProcess> live = bootstrapThree("r", List.of());
    Map<String, String> preload = entries("k", 2_000);
    step("writing " + preload.size() + " keys");
    Map<String, String> loaded = http.putAll(urls(live), preload, PRELOAD_IN_FLIGHT);
    step("wrote them");
    assertThat(loaded).as("writes acknowledged by a settled three-node cluster").hasSize(2_000);

    AckedWriter writer = writer("w", 25, live);
    for (NodeProcess n : List.copyOf(live)) {
      awaitHealth(n, "safe_to_stop", live, "before restarting " + n.name);
      String oldId = health(n).get("id").asText();
      List<String> others = urls(live.stream().filter(o -> o != n).toList());
      writer.targets(others);
      stopGracefully(n);
      n.start();
      awaitReady(n);
      awaitSettled(live, "after " + n.name + " restarted");
      assertThat(health(n).get("id").asText())
          .as("%s came back as a new identity", n.name)
          .isNotEqualTo(oldId);
      writer.targets(urls(live));
      awaitWriterProgress(writer, live);
      verifySample(live, preload, writer, "after " + n.name + " restarted");
    }

    writer.close();
    verifyAll(live, preload, writer, "after the rolling restart");
  }

  @Test
  void killedNodeRestartedUnderItsNameReplacesItsPredecessorAtOnce() throws Exception {
    // A grace far longer than the settle timeout: only the at-once replacement can settle in time.
    List<NodeProcess> live = bootstrapThree("d", List.of("--dead-member-grace", "5m"));
    Map<String, String> preload = entries("k", 2_000);
    step("writing " + preload.size() + " keys");
    Map<String, String> loaded = http.putAll(urls(live), preload, PRELOAD_IN_FLIGHT);
    step("wrote them");
    assertThat(loaded).as("writes acknowledged by a settled three-node cluster").hasSize(2_000);

    AckedWriter writer = writer("w", 25, live);
    NodeProcess first = live.get(0);
    String oldId = health(first).get("id").asText();
    writer.targets(urls(live.subList(1, 3)));
    step("kill -9 " + first.name);
    first.kill9();
    awaitExit(first);
    first.start();
    awaitReady(first);
    awaitSettled(live, "after " + first.name + " was killed and restarted");
    assertThat(health(first).get("id").asText()).isNotEqualTo(oldId);
    writer.targets(urls(live));
    awaitWriterProgress(writer, live);

    // The replacement holds its share: losing another replica now loses nothing.
    NodeProcess second = live.get(1);
    awaitHealth(second, "safe_to_stop", live, "before killing " + second.name);
    List<NodeProcess> survivors = List.of(live.get(0), live.get(2));
    writer.targets(urls(survivors));
    step("kill -9 " + second.name);
    second.kill9();
    awaitExit(second);
    awaitSeenDead(survivors, second, live);
    awaitWriterProgress(writer, survivors);

    writer.close();
    verifyAll(survivors, preload, writer, "with " + second.name + " dead, on " + names(survivors));
  }

  // --- building blocks -------------------------------------------------------------------------

  /** Three nodes started together, each with the others as seeds and --bootstrap-expect 3. */
  private List<NodeProcess> bootstrapThree(String prefix, List<String> extra)
      throws InterruptedException, IOException {
    int[] httpPorts = new int[3];
    int[] clusterPorts = new int[3];
    for (int i = 0; i < 3; i++) {
      httpPorts[i] = freePort(false);
      clusterPorts[i] = freePort(true);
    }
    List<NodeProcess> live = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      List<String> seeds = new ArrayList<>();
      for (int j = 0; j < 3; j++) {
        if (j != i) {
          seeds.add("127.0.0.1:" + clusterPorts[j]);
        }
      }
      List<String> args = new ArrayList<>();
      args.addAll(List.of("--seeds", String.join(",", seeds), "--bootstrap-expect", "3"));
      args.addAll(extra);
      NodeProcess n =
          new NodeProcess(jar, logs, prefix + (i + 1), httpPorts[i], clusterPorts[i], args);
      nodes.add(n);
      live.add(n.start());
    }
    for (NodeProcess n : live) {
      awaitReady(n);
    }
    awaitSettled(live, "the three bootstrapped nodes");
    return live;
  }

  private NodeProcess node(String name, List<String> extra) throws IOException {
    NodeProcess n = new NodeProcess(jar, logs, name, freePort(false), freePort(true), extra);
    nodes.add(n);
    return n;
  }

  private AckedWriter writer(String prefix, int perSecond, List<NodeProcess> live) {
    AckedWriter w = new AckedWriter(http, prefix, perSecond, urls(live));
    writers.add(w);
    return w.start();
  }

  /** SIGTERM, then the node must print its stopped line and exit with 0 (bounded). */
  private void stopGracefully(NodeProcess n) throws InterruptedException {
    step("SIGTERM to " + n.name);
    n.sigterm();
    int status = awaitExit(n);
    assertThat(status)
        .as("exit status of %s after SIGTERM; log %s:%n%s", n.name, n.log(), n.tail(40))
        .isZero();
    assertThat(n.printedStopped(Duration.ofSeconds(5)))
        .as("%s printed its stopped line; log %s", n.name, n.log())
        .isTrue();
    step(n.name + " stopped");
  }

  private void awaitReady(NodeProcess n) throws InterruptedException {
    if (!n.awaitReadyLine(READY_TIMEOUT)) {
      fail("%s printed no ready line within %s (running: %s); log %s ends with:%n%s%n%s", n.name,
          READY_TIMEOUT, n.alive(), n.log(), n.tail(40), describeAll());
    }
  }

  private int awaitExit(NodeProcess n) throws InterruptedException {
    Integer status = n.awaitExit(EXIT_TIMEOUT);
    if (status == null) {
      fail("%s (pid %d) did not exit within %s; log %s ends with:%n%s%n%s", n.name, n.pid(),
          EXIT_TIMEOUT, n.log(), n.tail(40), describeAll());
    }
    return status;
  }

  private static Map<String, String> entries(String prefix, int count) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String key = String.format("%s%05d", prefix, i);
      m.put(key, "v-" + key);
    }
    return m;
  }

  // --- waiting ---------------------------------------------------------------------------------

  /** Waits (bounded) until {@code live} is settled as the class comment defines it. */
  private void awaitSettled(List<NodeProcess> live, String what) throws InterruptedException {
    step("waiting for the cluster to settle " + what);
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    String reason = unsettled(live);
    while (reason != null && System.nanoTime() - deadline < 0) {
      Thread.sleep(POLL.toMillis());
      reason = unsettled(live);
    }
    if (reason != null) {
      fail(
          "the cluster did not settle %s within %s with members %s: %s%n%s",
          what, SETTLE_TIMEOUT, names(live), reason, describeAll());
    }
    step("settled " + what + " with " + names(live));
  }

  /** Why {@code live} is not settled yet, or null if it is. */
  private String unsettled(List<NodeProcess> live) throws InterruptedException {
    Set<String> ids = new TreeSet<>();
    for (NodeProcess n : live) {
      JsonNode h = http.json(n.url(), "/health", Duration.ofSeconds(3));
      if (h == null) {
        return n.name + " does not answer GET /health with 200";
      }
      if (!h.path("ready").asBoolean(false)) {
        return n.name + " is not ready";
      }
      ids.add(h.path("id").asText());
    }
    Long epoch = null;
    for (NodeProcess n : live) {
      JsonNode c = http.json(n.url(), "/cluster", Duration.ofSeconds(3));
      if (c == null || !c.path("formed").asBoolean(false)) {
        return n.name + " has no formed cluster";
      }
      long e = c.path("epoch").asLong();
      if (epoch != null && e != epoch) {
        return "the nodes are at different epochs (" + epoch + " and " + e + " at " + n.name + ")";
      }
      epoch = e;
      if (!c.path("previous_members").isEmpty()) {
        return n.name + " shows a change in progress (previous members)";
      }
      if (!c.path("migrations").isEmpty()) {
        return n.name + " shows migrations in progress";
      }
      Set<String> members = new TreeSet<>();
      c.path("members").forEach(m -> members.add(m.path("id").asText()));
      if (!members.equals(ids)) {
        return n.name + " has members " + members + ", the running nodes are " + ids;
      }
    }
    return null;
  }

  /** Waits (bounded) until a boolean field of the node's {@code /health} is true. */
  private void awaitHealth(NodeProcess n, String field, List<NodeProcess> live, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      JsonNode h = http.json(n.url(), "/health", Duration.ofSeconds(3));
      if (h != null && h.path(field).asBoolean(false)) {
        return;
      }
      Thread.sleep(POLL.toMillis());
    }
    fail("%s: %s never showed %s true within %s (members %s)%n%s", what, n.name, field,
        SETTLE_TIMEOUT, names(live), describeAll());
  }

  /** Waits (bounded) until every survivor's membership shows the killed node dead. */
  private void awaitSeenDead(List<NodeProcess> survivors, NodeProcess dead, List<NodeProcess> all)
      throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      boolean everyone = true;
      for (NodeProcess s : survivors) {
        JsonNode m = http.json(s.url(), "/cluster/members", Duration.ofSeconds(3));
        boolean seen = false;
        if (m != null) {
          for (JsonNode member : m.path("members")) {
            if (member.path("name").asText().equals(dead.name)
                && member.path("state").asText().equals("dead")) {
              seen = true;
            }
          }
        }
        everyone &= seen;
      }
      if (everyone) {
        return;
      }
      Thread.sleep(POLL.toMillis());
    }
    fail("%s was not seen dead by %s within %s%n%s", dead.name, names(survivors), SETTLE_TIMEOUT,
        describeAll());
  }

  /** Waits (bounded) until the writer has had a few more writes acknowledged. */
  private void awaitWriterProgress(AckedWriter writer, List<NodeProcess> live)
      throws InterruptedException {
    int before = writer.ackedCount();
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (writer.ackedCount() < before + 10 && System.nanoTime() - deadline < 0) {
      Thread.sleep(POLL.toMillis());
    }
    if (writer.ackedCount() < before + 10) {
      fail("writes through %s were not acknowledged within %s (%s)%n%s", names(live),
          SETTLE_TIMEOUT, writer.summary(), describeAll());
    }
    step("the writer makes progress through " + names(live));
  }

  // --- checking --------------------------------------------------------------------------------

  /**
   * Reads through every node a random sample of the preloaded keys and of the writer's older
   * acknowledged keys, and every key the writer had acknowledged since the previous check.
   */
  private void verifySample(
      List<NodeProcess> live, Map<String, String> preload, AckedWriter writer, String when)
      throws InterruptedException {
    Map<String, String> expected = new HashMap<>(sample(preload, SAMPLE));
    Map<String, String> acked = writer.acked();
    Map<String, String> older = new HashMap<>();
    acked.forEach(
        (k, v) -> {
          if (verifiedWriterKeys.add(k)) {
            expected.put(k, v);
          } else {
            older.put(k, v);
          }
        });
    expected.putAll(sample(older, SAMPLE));
    check(live, expected, when, writer);
  }

  /** Reads every acknowledged key through every node. */
  private void verifyAll(
      List<NodeProcess> live, Map<String, String> preload, AckedWriter writer, String when)
      throws InterruptedException {
    Map<String, String> expected = new HashMap<>(preload);
    expected.putAll(writer.acked());
    check(live, expected, when, writer);
  }

  private void check(
      List<NodeProcess> live, Map<String, String> expected, String when, AckedWriter writer)
      throws InterruptedException {
    step("reading " + expected.size() + " keys through " + names(live) + " " + when);
    List<String> problems = http.verify(urls(live), expected, VERIFY_IN_FLIGHT);
    if (!problems.isEmpty()) {
      fail(
          "%s: %d of %d reads (%d keys through %s) did not return the acknowledged value (%s);"
              + " first ones:%n%s%n%s",
          when,
          problems.size(),
          expected.size() * live.size(),
          expected.size(),
          names(live),
          writer.summary(),
          String.join(System.lineSeparator(), problems.subList(0, Math.min(20, problems.size()))),
          describeAll());
    }
    step("read every one as acknowledged");
  }

  private Map<String, String> sample(Map<String, String> from, int n) {
    List<String> keys = new ArrayList<>(from.keySet());
    java.util.Collections.shuffle(keys, random);
    Map<String, String> s = new HashMap<>();
    for (String k : keys.subList(0, Math.min(n, keys.size()))) {
      s.put(k, from.get(k));
    }
    return s;
  }

  // --- diagnostics -----------------------------------------------------------------------------

  /** Every running node's {@code /cluster} and {@code /health}, for failure messages. */
  private String describeAll() throws InterruptedException {
    StringBuilder b = new StringBuilder("node states (logs in ").append(logs).append("):");
    for (NodeProcess n : nodes) {
      b.append(System.lineSeparator()).append("  ").append(n.name);
      if (!n.alive()) {
        b.append(": not running");
        continue;
      }
      b.append(" pid ").append(n.pid()).append(System.lineSeparator());
      b.append("    GET /cluster: ").append(http.describe(n.url(), "/cluster"));
      b.append(System.lineSeparator());
      b.append("    GET /health:  ").append(http.describe(n.url(), "/health"));
    }
    return b.toString();
  }

  private JsonNode health(NodeProcess n) throws InterruptedException {
    JsonNode h = http.json(n.url(), "/health", Duration.ofSeconds(3));
    assertThat(h).as("GET /health of %s", n.name).isNotNull();
    return h;
  }

  private static NodeProcess named(List<NodeProcess> live, String name) {
    return live.stream().filter(n -> n.name.equals(name)).findFirst().orElseThrow();
  }

  private static List<String> urls(List<NodeProcess> live) {
    return live.stream().map(NodeProcess::url).toList();
  }

  private static List<String> names(List<NodeProcess> live) {
    return live.stream().map(n -> n.name).toList();
  }

  // --- ports -----------------------------------------------------------------------------------

  /**
   * A port below the kernel's ephemeral range (so no outgoing connection takes it meanwhile) that
   * is free now, over TCP and, for a cluster port, UDP too; never the same one twice in this JVM.
   */
  private static int freePort(boolean udpToo) throws IOException {
    synchronized (USED_PORTS) {
      Random r = new Random();
      for (int attempt = 0; attempt < 200; attempt++) {
        int port = 20_000 + r.nextInt(12_000);
        if (!USED_PORTS.contains(port) && tcpFree(port) && (!udpToo || udpFree(port))) {
          USED_PORTS.add(port);
          return port;
        }
      }
    }
    throw new IOException("no free port found");
  }

  private static boolean tcpFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean udpFree(int port) {
    try (DatagramSocket s =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
