package io.kvstore.sim.replication;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.replication.ProposalResult;
import io.kvstore.internal.replication.ReplicationConfig;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * One seeded run of the replication core in the simulator: N nodes running {@code ReplicaCore}s
 * through {@link SimReplicaNode}, ten clients over a few hot keys, a hostile network and a fault
 * schedule; then the faults heal, every node reads every key (liveness), and the history is checked
 * for linearizability.
 *
 * <p>Nodes learn that a member's configured identity is gone (crashed, or restarted as a new
 * identity) from an oracle standing in for membership, after a detection delay; until then they
 * forward writes to a dead coordinator and those end as unknown. In half the seeds the oracle also
 * suspects every member a node cannot reach at the moment (partitions, one-way blocks): writes then
 * move to another coordinator, so proposers duel over a key, and a node cut off from a majority
 * fails operations at once. What the seed decides besides the network and the workload (from a
 * stream of its own, so a shrunk fault schedule keeps these choices): that detection delay (0 to
 * 1.5 s), how long the core may work on one operation (by default 150 ms to 1.2 s: shorter than a
 * round timeout makes operations end in the middle of an accept), and how often messages take the
 * long tail of delays (up to 400 ms).
 */
final class ReplicationScenario {
  /** The simulated clients. */
  static final int CLIENTS = 10;

  /** How long a final (liveness) read may take: several round timeouts. */
  private static final long FINAL_READ_DEADLINE_NANOS = 5_000_000_000L;

  private static final long SETTINGS_SALT = 0x7e91_ca5b_0a11_d00dL;
  private static final long FAULTS_SALT = 0x5eed_fa17_c0de_b1a5L;

  /**
   * The shape of a run.
   *
   * @param name a name for exported histories
   * @param nodes how many nodes
   * @param rf replicas per partition
   * @param partitions partitions
   * @param keys hot keys
   * @param replication the core's tunables per node index (0-based): mutation tests may mix them
   * @param faultCount faults per schedule
   * @param spanMillis faults start within this much virtual time
   * @param baseDrop the network's loss outside lossy spells
   * @param deadlineMinMillis the shortest time the core may work on one operation
   * @param deadlineMaxMillis the longest (the seed picks one in between per run)
   */
  record Shape(
      String name,
      int nodes,
      int rf,
      int partitions,
      int keys,
      IntFunction<ReplicationConfig> replication,
      int faultCount,
      long spanMillis,
      double baseDrop,
      long deadlineMinMillis,
      long deadlineMaxMillis) {
    /** A shape with operation deadlines of 150 ms to 1.2 s. */
    Shape(
        String name,
        int nodes,
        int rf,
        int partitions,
        int keys,
        IntFunction<ReplicationConfig> replication,
        int faultCount,
        long spanMillis,
        double baseDrop) {
      this(
          name,
          nodes,
          rf,
          partitions,
          keys,
          replication,
          faultCount,
          spanMillis,
          baseDrop,
          150,
          1_200);
    }

    Shape with(IntFunction<ReplicationConfig> r, String newName) {
      return new Shape(
          newName,
          nodes,
          rf,
          partitions,
          keys,
          r,
          faultCount,
          spanMillis,
          baseDrop,
          deadlineMinMillis,
          deadlineMaxMillis);
    }

    Shape withDeadlines(long minMillis, long maxMillis) {
      return new Shape(
          name,
          nodes,
          rf,
          partitions,
          keys,
          replication,
          faultCount,
          spanMillis,
          baseDrop,
          minMillis,
          maxMillis);
    }
  }

  /** Counters summed over runs. */
  static final class Stats {
    long runs;
    long operations;
    long fastReads;
    long thriftyReads;
    long hedgedReads;
    long onePhaseWrites;
    long answersSent;
    long answeredOnAccept;
    long purged;
    long unknown;
    long failed;

    /** The trace hash of the last run. */
    long lastTraceHash;

    /** The history of the last run. */
    List<Operation> lastHistory = List.of();

    @Override
    public String toString() {
      return String.format(
          "%d runs, %d operations (%d failed, %d unknown), %d fast reads (%d reads asked a bare"
              + " majority first, %d of them hedged), %d one-phase writes, %d accepts carrying the"
              + " outcome to the forwarding replica (%d writes answered there), %d keys purged",
          runs, operations, failed, unknown, fastReads, thriftyReads, hedgedReads, onePhaseWrites,
          answersSent, answeredOnAccept, purged);
    }
  }

  private ReplicationScenario() {}

  static List<String> nodeNames(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add("n" + i);
    }
    return out;
  }

  /**
   * The plan of a seed: a random fault schedule (partitions of any shape, one-way blocks, slow
   * nodes, lossy spells, crashes of a fixed minority that restart as fresh identities) plus bridge
   * partitions (one node still talks to both sides).
   */
  static SimPlan plan(long seed, Shape shape, int opsPerClient) {
    SplittableRandom r = new SplittableRandom(seed ^ FAULTS_SALT);
    List<String> nodes = nodeNames(shape.nodes());
    // A restarted node is no voter again, so only a minority of each replica set may ever crash:
    // a minority of the nodes for RF = N, one node for a smaller RF.
    int maxCrashed = shape.rf() == shape.nodes() ? (shape.nodes() - 1) / 2 : (shape.rf() - 1) / 2;
    List<String> shuffled = new ArrayList<>(nodes);
    java.util.Collections.shuffle(shuffled, new java.util.Random(r.nextLong()));
    List<String> crashable = List.copyOf(shuffled.subList(0, r.nextInt(maxCrashed + 1)));
    FaultSchedule.Options o =
        new FaultSchedule.Options(
            nodes, crashable, nodes, Duration.ofMillis(shape.spanMillis()), shape.faultCount());
    List<FaultSchedule.Fault> faults = new ArrayList<>(FaultSchedule.generate(r, o).faults());
    // Bridges: the middle node of a shuffled order sees both halves, the halves not each other.
    int bridges = r.nextInt(3);
    for (int b = 0; b < bridges; b++) {
      List<String> order = new ArrayList<>(nodes);
      java.util.Collections.shuffle(order, new java.util.Random(r.nextLong()));
      int mid = order.size() / 2;
      long at = r.nextLong(Math.max(1, shape.spanMillis() * 1_000_000L));
      long duration = r.nextLong(100_000_000L, 2_000_000_000L);
      for (int i = 0; i < mid; i++) {
        for (int j = mid + 1; j < order.size(); j++) {
          faults.add(new FaultSchedule.OneWay(at, duration, order.get(i), order.get(j)));
          faults.add(new FaultSchedule.OneWay(at, duration, order.get(j), order.get(i)));
        }
      }
    }
    return new SimPlan(new FaultSchedule(faults), opsPerClient);
  }

  /** Submits a read of one key through one node. */
  @FunctionalInterface
  interface FinalReader {
    java.util.concurrent.CompletableFuture<ProposalResult> read(String key);
  }

  /**
   * Reads every key ("k0".."k{keys-1}") through every reader, records the reads in {@code history}
   * (so the checker sees them: an acknowledged write that is lost fails it), and adds to {@code
   * liveness} every read that did not succeed.
   */
  static void finalReads(Simulation sim, History history, Map<String, FinalReader> readers, int keys,
      List<String> liveness) {
    int[] outstanding = {0};
    int process = 1_000_000;
    for (Map.Entry<String, FinalReader> reader : readers.entrySet()) {
      String n = reader.getKey();
      for (int k = 0; k < keys; k++) {
        String key = "k" + k;
        int handle = history.invoke(process++, Operation.Kind.GET, key, null, 0);
        outstanding[0]++;
        reader.getValue().read(key).whenComplete((r, e) -> {
          outstanding[0]--;
          if (r instanceof ProposalResult.Done d) {
            Outcome o = d.outcome();
            history.ok(handle, true, o.applied() ? new String(o.value(), StandardCharsets.UTF_8) : null,
                o.applied() ? o.version() : 0);
          } else {
            history.fail(handle);
            liveness.add(n + " read " + key + ": " + (e != null ? e : r));
          }
        });
      }
    }
    if (!sim.runUntil(() -> outstanding[0] == 0, Duration.ofSeconds(20))) {
      liveness.add(outstanding[0] + " final reads never completed");
    }
  }

  /** Runs one seed; returns null if it passed, else why not. Adds its counters to {@code stats}. */
  static String run(long seed, SimPlan plan, Shape shape, Stats stats) {
    try {
      return runUnchecked(seed, plan, shape, stats);
    } catch (RuntimeException | AssertionError e) {
      java.io.StringWriter w = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(w));
      return "the run threw: " + w;
    }
  }

  private static String runUnchecked(long seed, SimPlan plan, Shape shape, Stats stats) {
    SplittableRandom settings = new SplittableRandom(seed ^ SETTINGS_SALT);
    long detectionNanos = settings.nextLong(1_500_000_000L);
    boolean suspectUnreachable = settings.nextBoolean();
    long opDeadlineNanos =
        settings.nextLong(shape.deadlineMinMillis(), shape.deadlineMaxMillis() + 1) * 1_000_000L;
    double tail = 0.005 + 0.03 * settings.nextDouble();

    Simulation sim = new Simulation(seed);
    LinkFaults base =
        new LinkFaults(
            shape.baseDrop(),
            0.03,
            0.05,
            DelayDistribution.uniform(500_000, 5_000_000).withTail(tail, 400_000_000));
    sim.network().setGlobalFaults(base);

    List<String> names = nodeNames(shape.nodes());
    Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    List<SimReplicaNode> incarnations = new ArrayList<>();
    ClusterConfig[] config = new ClusterConfig[1];
    List<String> invariantFailures = new ArrayList<>();
    Map<String, Long> diedAt = new HashMap<>(); // lookups only
    SimReplicaNode.DownOracle down =
        new SimReplicaNode.DownOracle() {
          @Override
          public boolean isDown(NodeId observer, NodeId m, long now) {
            SimHost h = sim.host(m.name());
            if (h.isUp() && h.bootId() == m.boot()) {
              diedAt.remove(m.name());
              // Alive; with suspicion on, a member this node cannot reach counts as down (false
              // suspicion: the coordinator moves, so two proposers may write one key).
              return suspectUnreachable && !sim.network().connected(observer.name(), m.name());
            }
            long died = diedAt.computeIfAbsent(m.name(), k -> now);
            return now - died >= detectionNanos;
          }

          @Override
          public boolean isUnreachable(NodeId observer, NodeId m, long now) {
            // The transport's hint, at once and eagerly: a crashed incarnation, or any cut link
            // (real streams break later or not at all). Forwards to it end as unknown and writes
            // are routed elsewhere, so more proposers compete: a harder test of safety.
            SimHost h = sim.host(m.name());
            return !(h.isUp() && h.bootId() == m.boot())
                || !sim.network().connected(observer.name(), m.name());
          }
        };
    for (int i = 0; i < names.size(); i++) {
      ReplicationConfig rc = shape.replication().apply(i);
      SimHost h =
          sim.addHost(
              names.get(i),
              ctx -> {
                SimReplicaNode n =
                    new SimReplicaNode(
                        ctx,
                        config[0],
                        rc,
                        endpoints,
                        opDeadlineNanos,
                        down,
                        e -> invariantFailures.add(ctx.name() + ": " + e.getMessage()));
                incarnations.add(n);
                return n;
              });
      endpoints.put(names.get(i), h.endpoint());
    }
    List<SimHost> clientHosts = new ArrayList<>();
    for (int i = 1; i <= CLIENTS; i++) {
      clientHosts.add(sim.addHost("c" + i, ctx -> new Object()));
    }
    sim.startAll();
    List<NodeId> members = new ArrayList<>();
    for (String n : names) {
      members.add(new NodeId(n, sim.host(n).bootId()));
    }
    config[0] = new ClusterConfig(1, members, shape.rf(), shape.partitions());
    for (SimReplicaNode n : incarnations) {
      n.configure(config[0]);
    }

    History history = new History(sim);
    WorkloadConfig wc =
        new WorkloadConfig(
            shape.keys(),
            plan.opsPerClient(),
            Duration.ofNanos(opDeadlineNanos + 300_000_000L),
            Duration.ofMillis(20),
            40,
            25,
            5,
            20,
            10);
    Workload workload = new Workload(sim, history, wc);
    for (SimHost c : clientHosts) {
      SplittableRandom pick = sim.newRandom();
      workload.addClient(
          c.eventLoop(),
          () -> {
            SimHost n = sim.host(names.get(pick.nextInt(names.size())));
            SimReplicaNode node = n.node(SimReplicaNode.class);
            return node == null ? null : node.kv();
          });
    }

    plan.faults().applyTo(sim);
    workload.start();
    if (!sim.runUntil(workload::done, Duration.ofMinutes(10))) {
      return "workload did not finish within the virtual time limit";
    }
    // Heal: let every scheduled fault end, then undo whatever is left.
    long lastEnd = 0;
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
      if (!sim.host(n).isUp()) {
        sim.start(n);
      }
    }
    sim.runFor(Duration.ofSeconds(2));

    // Liveness: a read of every key through every node succeeds.
    List<String> liveness = new ArrayList<>();
    Map<String, FinalReader> readers = new LinkedHashMap<>();
    for (String n : names) {
      SimReplicaNode node = sim.host(n).node(SimReplicaNode.class);
      readers.put(n, key -> node.submit(key, Command.get(), FINAL_READ_DEADLINE_NANOS));
    }
    finalReads(sim, history, readers, shape.keys(), liveness);

    List<Operation> ops = history.operations();
    stats.lastTraceHash = sim.traceHash();
    stats.lastHistory = ops;
    stats.runs++;
    stats.operations += ops.size();
    for (Operation op : ops) {
      if (op.status() == Operation.Status.UNKNOWN) {
        stats.unknown++;
      } else if (op.status() == Operation.Status.FAIL) {
        stats.failed++;
      }
    }
    for (SimReplicaNode n : incarnations) {
      stats.fastReads += n.core().proposer().fastReads();
      stats.thriftyReads += n.core().proposer().thriftyReads();
      stats.hedgedReads += n.core().proposer().hedgedReads();
      stats.onePhaseWrites += n.core().proposer().onePhaseWrites();
      stats.answersSent += n.core().proposer().answersSent();
      stats.answeredOnAccept += n.core().answeredOnAccept();
      stats.purged += n.core().acceptor().purged();
    }
    HistoryJson.write(
        ops,
        Path.of("target", "sim-histories", "replication-" + shape.name() + "-" + seed + ".jsonl"));
    if (!invariantFailures.isEmpty()) {
      return "acceptor invariant broken: " + invariantFailures.get(0);
    }
    CheckResult result = new LinearizabilityChecker().check(ops);
    if (!result.isLinearizable()) {
      return result.describe()
          + "\nsettings: suspect unreachable members "
          + suspectUnreachable
          + ", crash detection after "
          + detectionNanos / 1_000_000
          + " ms, operation deadline "
          + opDeadlineNanos / 1_000_000
          + " ms";
    }
    if (!liveness.isEmpty()) {
      return "NOT LIVE after the faults healed: " + liveness;
    }
    return null;
  }
}
