package io.kvstore.sim.replication;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.replication.Reconfigurator;
import io.kvstore.sim.DelayDistribution;
import io.kvstore.sim.FaultSchedule;
import io.kvstore.sim.History;
import io.kvstore.sim.HistoryJson;
import io.kvstore.sim.LinkFaults;
import io.kvstore.sim.Operation;
import io.kvstore.sim.SimHost;
import io.kvstore.sim.SimPlan;
import io.kvstore.sim.Simulation;
import io.kvstore.sim.Workload;
import io.kvstore.sim.WorkloadConfig;
import io.kvstore.sim.checker.CheckResult;
import io.kvstore.sim.checker.LinearizabilityChecker;
import io.kvstore.spi.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One seeded run of an elastic cluster in the simulator: nodes join, leave gracefully, crash and
 * come back empty under a new identity, crash for good, and are removed by an operator, while ten
 * clients work on a few keys over a lossy, duplicating, reordering and sometimes partitioned
 * network. The configuration is formed and changed by the production {@link Reconfigurator}
 * (joint configurations, catch-up streaming); membership is an oracle that reports a crashed
 * identity dead after a detection delay. Destructive actions happen only while the cluster is
 * healthy (the newest configuration is final and all its members run), so a majority of every
 * replica set always keeps its memory: the promise under test is that no acknowledged write is lost
 * then.
 *
 * <p>Checked: the client history (final reads through every node included) is linearizable; every
 * node that installed a configuration epoch installed the same configuration (the configuration
 * history is one chain); the configuration settles once faults heal, and every key can be read.
 */
final class ElasticScenario {
  static final int CLIENTS = 10;
  private static final long FINAL_READ_DEADLINE_NANOS = 5_000_000_000L;
  private static final long JOIN_DELAY_NANOS = 200_000_000L;
  private static final long SETTINGS_SALT = 0x3e1a_571c_c0ff_ee11L;
  private static final long FAULTS_SALT = 0x0dd_ba11_5eed_f00dL;

  /**
   * The shape of a run.
   *
   * @param name a name for exported histories
   * @param hosts machines available (names n1..nH)
   * @param initial how many form the cluster at the start (1: one node bootstraps alone)
   * @param rf replicas per partition
   * @param partitions partitions
   * @param keys hot keys
   * @param actions membership actions during the run
   * @param networkFaults partitions, one-way blocks and lossy spells during the run
   */
  record Shape(String name, int hosts, int initial, int rf, int partitions, int keys, int actions,
      int networkFaults, io.kvstore.internal.replication.ReplicationConfig replication) {
    /** A shape with the correct protocol. */
    Shape(String name, int hosts, int initial, int rf, int partitions, int keys, int actions, int networkFaults) {
      this(name, hosts, initial, rf, partitions, keys, actions, networkFaults,
          io.kvstore.internal.replication.ReplicationConfig.defaults());
    }
  }

  /** Counters summed over runs. */
  static final class Stats {
    long runs;
    long operations;
    long unknown;
    long failed;
    long epochs;
    final Map<String, Long> actions = new TreeMap<>();
    long lastTraceHash;

    @Override
    public String toString() {
      return String.format("%d runs, %d operations (%d failed, %d unknown), %d configuration epochs, actions %s",
          runs, operations, failed, unknown, epochs, actions);
    }
  }

  private ElasticScenario() {}

  /** The network faults of a seed (no crashes: the scenario crashes nodes itself, when safe). */
  static SimPlan plan(long seed, Shape shape, int opsPerClient) {
    SplittableRandom r = new SplittableRandom(seed ^ FAULTS_SALT);
    List<String> nodes = ReplicationScenario.nodeNames(shape.hosts());
    FaultSchedule.Options o = new FaultSchedule.Options(
        nodes, List.of(), nodes, Duration.ofMillis(8_000), shape.networkFaults());
    return new SimPlan(FaultSchedule.generate(r, o), opsPerClient);
  }

  static String run(long seed, SimPlan plan, Shape shape, Stats stats) {
    try {
      return new Run(seed, plan, shape, stats).go();
    } catch (RuntimeException | AssertionError e) {
      java.io.StringWriter w = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(w));
      return "the run threw: " + w;
    }
  }

  private static final class Run {
    final long seed;
    final SimPlan plan;
    final Shape shape;
    final Stats stats;
    final Simulation sim;
    final SplittableRandom settings;
    final List<String> names;
    final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    final Map<NodeId, Long> upSince = new HashMap<>();
    final Map<NodeId, Long> downAt = new HashMap<>();
    final Set<NodeId> left = new HashSet<>();
    final Set<NodeId> wasMember = new HashSet<>();
    final Set<NodeId> stopping = new HashSet<>();
    int removals;
    long unsureUntil;
    final Set<String> restartPending = new HashSet<>();
    final Set<String> leaving = new HashSet<>();
    final Map<Long, ClusterConfig> epochs = new HashMap<>();
    final List<String> violations = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    final long detectionNanos;
    final boolean suspectUnreachable;
    final long opDeadlineNanos;
    final Reconfigurator.Settings nodeSettings;
    final Reconfigurator.Settings joinerSettings;

    Run(long seed, SimPlan plan, Shape shape, Stats stats) {
      this.seed = seed;
      this.plan = plan;
      this.shape = shape;
      this.stats = stats;
      this.sim = new Simulation(seed);
      this.settings = new SplittableRandom(seed ^ SETTINGS_SALT);
      this.names = ReplicationScenario.nodeNames(shape.hosts());
      this.detectionNanos = settings.nextLong(300_000_000L, 1_500_000_000L);
      this.opDeadlineNanos = settings.nextLong(300, 1_200) * 1_000_000L;
      this.suspectUnreachable = settings.nextBoolean();
      this.nodeSettings = new Reconfigurator.Settings(shape.initial(), shape.rf(), shape.partitions(),
          3_000_000_000L, 300_000_000L, 1_000_000_000L);
      this.joinerSettings = new Reconfigurator.Settings(1, nodeSettings.replicationFactor(),
          nodeSettings.partitions(), nodeSettings.deadGraceNanos(), nodeSettings.settleNanos(),
          nodeSettings.registerTimeoutNanos());
    }

    Reconfigurator.View view(NodeId observer) {
      long now = sim.nowNanos();
      Set<NodeId> alive = new HashSet<>();
      alive.add(observer);
      for (Map.Entry<NodeId, Long> e : upSince.entrySet()) {
        NodeId id = e.getKey();
        Long down = downAt.get(id);
        if (left.contains(id)) {
          continue;
        }
        if (suspectUnreachable && !id.equals(observer)
            && !sim.network().connected(observer.name(), id.name())) {
          continue; // this observer's membership suspects what it cannot reach
        }
        if (down == null ? now - e.getValue() >= JOIN_DELAY_NANOS : now - down < detectionNanos) {
          alive.add(id);
        }
      }
      return new Reconfigurator.View(alive, Set.copyOf(left));
    }

    void installed(NodeId node, ClusterConfig c) {
      if (c.involves(node)) {
        wasMember.add(node);
      } else if (wasMember.contains(node) && !left.contains(node) && stopping.add(node)) {
        // Removed while running: the node stops (as the product's node does); a restart would join
        // again under a new identity.
        log.add(sim.nowNanos() / 1_000_000 + " ms: " + node + " sees itself removed (epoch " + c.epoch() + " " + c.members() + " prev " + c.previous() + ") and stops");
        sim.at(sim.nowNanos() + 1_500_000_000L, "stop removed " + node, () -> {
          SimHost h = sim.host(node.name());
          if (h.isUp() && h.bootId() == node.boot()) {
            left.add(node);
            crash(node.name());
          }
          stopping.remove(node);
        });
      }
      ClusterConfig before = epochs.putIfAbsent(c.epoch(), c);
      if (before != null && !before.equals(c)) {
        violations.add("two configurations of epoch " + c.epoch() + ": " + before + " and " + c + " (at " + node + ")");
      }
    }

    SimElasticNode node(String name) {
      return sim.host(name).node(SimElasticNode.class);
    }

    void start(String name) {
      sim.start(name);
      SimHost h = sim.host(name);
      upSince.put(new NodeId(name, h.bootId()), sim.nowNanos());
    }

    void crash(String name) {
      SimHost h = sim.host(name);
      if (h.isUp()) {
        downAt.put(new NodeId(name, h.bootId()), sim.nowNanos());
        sim.crash(name);
      }
    }

    /** The newest configuration any running node holds. */
    ClusterConfig newest() {
      ClusterConfig best = null;
      for (String n : names) {
        SimElasticNode node = node(n);
        ClusterConfig c = node == null ? null : node.installed();
        if (c != null && (best == null || c.epoch() > best.epoch())) {
          best = c;
        }
      }
      return best;
    }

    /**
     * The newest configuration is final, and every member of it runs and has installed it (what
     * an operator checks with {@code safe_to_stop} before stopping a node): a minority may fail.
     */
    boolean healthy() {
      ClusterConfig c = newest();
      if (c == null || c.joint() || !restartPending.isEmpty() || !leaving.isEmpty() || !stopping.isEmpty()
          || removals > 0 || sim.nowNanos() < unsureUntil) {
        return false;
      }
      for (NodeId m : c.members()) {
        SimHost h = sim.host(m.name());
        SimElasticNode n = node(m.name());
        if (!h.isUp() || h.bootId() != m.boot() || n.installed() == null || n.installed().epoch() != c.epoch()) {
          return false;
        }
      }
      return true;
    }

    void act(int i) {
      ClusterConfig c = newest();
      List<String> downHosts = new ArrayList<>();
      for (String n : names) {
        if (!sim.host(n).isUp() && !restartPending.contains(n)) {
          downHosts.add(n);
        }
      }
      List<String> choices = new ArrayList<>();
      if (!downHosts.isEmpty()) {
        choices.add("join");
      }
      if (healthy() && c.members().size() >= 3) {
        choices.add("restart");
        choices.add("kill");
      }
      if (healthy() && c.members().size() >= 2) {
        choices.add("leave");
        choices.add("remove");
      }
      if (choices.isEmpty()) {
        log.add(sim.nowNanos() / 1_000_000 + " ms: action " + i + " skipped (cluster busy)");
        return;
      }
      String what = choices.get(settings.nextInt(choices.size()));
      stats.actions.merge(what, 1L, Long::sum);
      switch (what) {
        case "join" -> {
          String n = downHosts.get(settings.nextInt(downHosts.size()));
          log.add(sim.nowNanos() / 1_000_000 + " ms: " + n + " joins");
          start(n);
        }
        case "restart" -> {
          NodeId m = c.members().get(settings.nextInt(c.members().size()));
          long after = settings.nextLong(300_000_000L, 2_500_000_000L);
          log.add(sim.nowNanos() / 1_000_000 + " ms: " + m + " crashes, restarts " + after / 1_000_000 + " ms later");
          crash(m.name());
          restartPending.add(m.name());
          sim.at(sim.nowNanos() + after, "restart " + m.name(), () -> {
            restartPending.remove(m.name());
            if (!sim.host(m.name()).isUp()) {
              start(m.name());
            }
          });
        }
        case "kill" -> {
          NodeId m = c.members().get(settings.nextInt(c.members().size()));
          log.add(sim.nowNanos() / 1_000_000 + " ms: " + m + " crashes for good");
          crash(m.name());
        }
        case "leave" -> {
          NodeId m = c.members().get(settings.nextInt(c.members().size()));
          log.add(sim.nowNanos() / 1_000_000 + " ms: " + m + " leaves gracefully");
          leaving.add(m.name());
          node(m.name()).leave();
          awaitHandOff(m, sim.nowNanos() + 30_000_000_000L);
        }
        case "remove" -> {
          NodeId m = c.members().get(settings.nextInt(c.members().size()));
          List<String> up = new ArrayList<>();
          for (String n : names) {
            if (sim.host(n).isUp()) {
              up.add(n);
            }
          }
          String via = up.get(settings.nextInt(up.size()));
          log.add(sim.nowNanos() / 1_000_000 + " ms: the operator removes " + m + " through " + via);
          removals++;
          node(via).removeMember(m.name()).whenComplete((epoch, e) -> {
            removals--;
            if (e != null) {
              // Maybe applied (an unknown outcome): an operator would look before acting again.
              unsureUntil = sim.nowNanos() + 3_000_000_000L;
            }
            log.add(sim.nowNanos() / 1_000_000 + " ms: removal of " + m + ": "
                + (e == null ? "epoch " + epoch : e.getMessage()));
          });
        }
        default -> throw new AssertionError(what);
      }
    }

    void awaitHandOff(NodeId m, long deadline) {
      sim.at(sim.nowNanos() + 100_000_000L, "hand-off check " + m, () -> {
        SimElasticNode n = node(m.name());
        if (n == null || !n.id().equals(m)) {
          leaving.remove(m.name());
        } else if (n.handedOff() || sim.nowNanos() > deadline) {
          log.add(sim.nowNanos() / 1_000_000 + " ms: " + m + (n.handedOff() ? " handed off and stops" : " stops without hand-off"));
          left.add(m);
          crash(m.name());
          leaving.remove(m.name());
        } else {
          awaitHandOff(m, deadline);
        }
      });
    }

    /** Whether the configuration settled: final, every member running, every running node on it. */
    boolean settled() {
      ClusterConfig c = newest();
      if (c == null || c.joint() || !stopping.isEmpty() || !leaving.isEmpty() || !restartPending.isEmpty()) {
        return false;
      }
      for (NodeId m : c.members()) {
        SimHost h = sim.host(m.name());
        if (!h.isUp() || h.bootId() != m.boot()) {
          return false;
        }
      }
      for (String n : names) {
        SimElasticNode node = node(n);
        if (node != null && (node.installed() == null || node.installed().epoch() != c.epoch())) {
          return false;
        }
      }
      return true;
    }

    String go() {
      LinkFaults base = new LinkFaults(0.02, 0.03, 0.05,
          DelayDistribution.uniform(500_000, 5_000_000).withTail(0.01, 200_000_000));
      sim.network().setGlobalFaults(base);
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        boolean alone = shape.initial() == 1 && i == 0;
        // The first hosts run with the flags that formed the cluster (bootstrap-expect), also
        // when they restart; the others were started to join it (seeds only), as an operator adds
        // nodes.
        Reconfigurator.Settings flags = i < shape.initial() ? nodeSettings : joinerSettings;
        SimHost h = sim.addHost(name, ctx -> new SimElasticNode(ctx, flags,
            alone && sim.host(name).boots() == 0, endpoints, opDeadlineNanos, this::view, this::installed,
            shape.replication()));
        endpoints.put(name, h.endpoint());
      }
      List<SimHost> clientHosts = new ArrayList<>();
      for (int i = 1; i <= CLIENTS; i++) {
        clientHosts.add(sim.addHost("c" + i, ctx -> new Object()));
      }
      for (SimHost c : clientHosts) {
        sim.start(c.name());
      }
      for (int i = 0; i < shape.initial(); i++) {
        start(names.get(i));
      }
      if (!sim.runUntil(() -> newest() != null, Duration.ofSeconds(20))) {
        return "the cluster did not form";
      }
      History history = new History(sim);
      WorkloadConfig wc = new WorkloadConfig(shape.keys(), plan.opsPerClient(),
          Duration.ofNanos(opDeadlineNanos + 300_000_000L), Duration.ofMillis(150), 40, 25, 5, 20, 10);
      Workload workload = new Workload(sim, history, wc);
      for (SimHost c : clientHosts) {
        SplittableRandom pick = sim.newRandom();
        workload.addClient(c.eventLoop(), () -> {
          for (int attempt = 0; attempt < 8; attempt++) { // clients talk to running nodes
            SimElasticNode node = node(names.get(pick.nextInt(names.size())));
            if (node != null) {
              return node.kv();
            }
          }
          return null;
        });
      }
      long t = sim.nowNanos();
      for (int i = 0; i < shape.actions(); i++) {
        t += settings.nextLong(700_000_000L, 2_000_000_000L);
        int index = i;
        sim.at(t, "membership action " + i, () -> act(index));
      }
      plan.faults().applyTo(sim);
      workload.start();
      if (!sim.runUntil(workload::done, Duration.ofMinutes(10))) {
        return "workload did not finish within the virtual time limit";
      }
      // Heal, wait for the last actions to play out, then for the configuration to settle.
      long lastEnd = Math.max(t, 0);
      for (FaultSchedule.Fault f : plan.faults().faults()) {
        lastEnd = Math.max(lastEnd, f.atNanos() + f.durationNanos());
      }
      if (lastEnd > sim.nowNanos()) {
        sim.runFor(Duration.ofNanos(lastEnd - sim.nowNanos() + 1));
      }
      sim.network().heal();
      sim.network().setGlobalFaults(base);
      for (String n : names) {
        sim.setSlow(n, Duration.ZERO);
      }
      List<String> liveness = new ArrayList<>();
      if (!sim.runUntil(this::settled, Duration.ofSeconds(60))) {
        liveness.add("the configuration did not settle: newest " + newest());
      }
      sim.runFor(Duration.ofMillis(500));

      Map<String, ReplicationScenario.FinalReader> readers = new LinkedHashMap<>();
      for (String n : names) {
        SimElasticNode node = node(n);
        if (node != null) {
          readers.put(n, key -> node.submit(key, Command.get(), FINAL_READ_DEADLINE_NANOS));
        }
      }
      ReplicationScenario.finalReads(sim, history, readers, shape.keys(), liveness);

      List<Operation> ops = history.operations();
      stats.lastTraceHash = sim.traceHash();
      stats.runs++;
      stats.operations += ops.size();
      stats.epochs += epochs.size();
      for (Operation op : ops) {
        if (op.status() == Operation.Status.UNKNOWN) {
          stats.unknown++;
        } else if (op.status() == Operation.Status.FAIL) {
          stats.failed++;
        }
      }
      HistoryJson.write(ops, Path.of("target", "sim-histories", "elastic-" + shape.name() + "-" + seed + ".jsonl"));
      String story = "\nmembership: " + String.join("; ", log) + "\nconfigurations: " + new TreeMap<>(epochs).values()
          + "\nsettings: detection after " + detectionNanos / 1_000_000 + " ms, unreachable members suspected "
          + suspectUnreachable + ", operation deadline "
          + opDeadlineNanos / 1_000_000 + " ms";
      if (!violations.isEmpty()) {
        return "configuration history broken: " + violations + story;
      }
      CheckResult result = new LinearizabilityChecker().check(ops);
      if (!result.isLinearizable()) {
        return result.describe() + story;
      }
      if (!liveness.isEmpty()) {
        return "NOT LIVE after the faults healed: " + liveness + story;
      }
      return null;
    }
  }
}
