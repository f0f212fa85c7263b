package io.kvstore.jmh.replication;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.replication.ProposalResult;
import io.kvstore.internal.replication.Proposer;
import io.kvstore.internal.replication.ReplicaCore;
import io.kvstore.internal.replication.ReplicationConfig;
import io.kvstore.spi.Message;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One CASPaxos operation end to end on three {@link ReplicaCore}s wired by an in-memory FIFO queue
 * on one thread: submit, then deliver messages (messages to self included) until the operation
 * completes. The protocol's CPU cost without sockets, codec or event-loop hand-offs.
 *
 * <ul>
 *   <li>{@code put}: a key written before by the same coordinator, so the cached ballot allows
 *       the one-phase path (accept only).
 *   <li>{@code putFreshKey}: a key never written, so a full prepare and accept.
 *   <li>{@code get}: the fast read (one read round, replicas agree).
 * </ul>
 *
 * <p>Writes are submitted on the key's coordinator (as a forwarded write would run); reads on
 * another replica. The secondary result {@code messages} is the number of messages delivered in
 * the measured iterations; the messages per operation (all iterations) are printed at the end of
 * the trial. Messages to self are counted: they cost a delivery like any other.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConsensusRoundBenchmark {
  /** Bound on deliveries per operation: a protocol that loops fails the benchmark. */
  private static final int MAX_DELIVERIES = 1_000;

  /** Messages delivered, reported by JMH as a rate next to the operation rate. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Counters {
    /** Messages delivered in the iteration. */
    public long messages;

    /** Resets per iteration (JMH reads the field after each one). */
    @Setup(Level.Iteration)
    public void reset() {
      messages = 0;
    }
  }

  /** Three replicas and the delivery queue. */
  @State(Scope.Thread)
  public static class Cluster {
    /** Value size in bytes. */
    @Param({"100", "1024"})
    public int valueBytes;

    /** Distinct existing keys the put and get benchmarks cycle through. */
    static final int KEYS = 1_024;

    private record Envelope(NodeId to, Message message) {}

    final ArrayDeque<Envelope> queue = new ArrayDeque<>();
    final Map<NodeId, ReplicaCore> cores = new HashMap<>();
    ReplicaCore[] coordinatorOf;
    ReplicaCore[] readerOf;
    String[] keys;
    byte[] value;
    long nextOpId;
    long now;
    long freshKeys;
    ProposalResult result;
    long totalOps;
    long totalMessages;

    /**
     * Builds a new cluster and writes every key once (so the next write of each is one-phase).
     * Per iteration, so that the keys {@code putFreshKey} adds do not pile up over the trial.
     */
    @Setup(Level.Iteration)
    public void setUp() {
      queue.clear();
      cores.clear();
      List<NodeId> members =
          List.of(new NodeId("a", 1), new NodeId("b", 2), new NodeId("c", 3));
      ClusterConfig config = new ClusterConfig(1, members, 3, 256);
      for (NodeId id : members) {
        ReplicaCore core =
            new ReplicaCore(
                id,
                ReplicationConfig.defaults(),
                new SplittableRandom(id.boot()),
                new Proposer.Effects() {
                  @Override
                  public void send(NodeId to, Message message) {
                    queue.addLast(new Envelope(to, message));
                  }

                  @Override
                  public void complete(long opId, ProposalResult r) {
                    result = r;
                  }
                });
        core.configure(config);
        cores.put(id, core);
      }
      value = new byte[valueBytes];
      keys = new String[KEYS];
      coordinatorOf = new ReplicaCore[KEYS];
      readerOf = new ReplicaCore[KEYS];
      ReplicaCore any = cores.get(members.get(0));
      for (int i = 0; i < KEYS; i++) {
        keys[i] = "key-" + i;
        List<NodeId> replicas = any.replicasOf(keys[i]);
        coordinatorOf[i] = cores.get(replicas.get(0));
        readerOf[i] = cores.get(replicas.get(1));
        run(coordinatorOf[i], keys[i], Command.put(value, 0), null);
      }
    }

    /** Prints the messages per operation of the trial (warm-up included). */
    @TearDown(Level.Trial)
    public void report() {
      System.out.printf(
          "%nmessages per operation: %.3f (%d messages, %d operations)%n",
          totalOps == 0 ? 0.0 : (double) totalMessages / totalOps, totalMessages, totalOps);
    }

    /** Submits one operation at {@code on} and delivers messages until it completes. */
    ProposalResult run(ReplicaCore on, String key, Command command, Counters counters) {
      result = null;
      now += 1_000;
      long deadline = now + TimeUnit.SECONDS.toNanos(10);
      on.submit(++nextOpId, key, command, deadline, now, 1_000_000L);
      int delivered = 0;
      while (result == null) {
        Envelope e = queue.pollFirst();
        if (e == null || ++delivered > MAX_DELIVERIES) {
          throw new IllegalStateException("operation did not complete: " + delivered + " deliveries");
        }
        cores.get(e.to()).onMessage(e.message(), now, 1_000_000L);
      }
      // Replies still in flight (the slowest replica's) belong to this operation's cost.
      for (Envelope e; (e = queue.pollFirst()) != null; ) {
        cores.get(e.to()).onMessage(e.message(), now, 1_000_000L);
        delivered++;
      }
      if (!(result instanceof ProposalResult.Done)) {
        throw new IllegalStateException("operation failed: " + result);
      }
      if (counters != null) {
        totalOps++;
        totalMessages += delivered;
        counters.messages += delivered;
      }
      return result;
    }
  }

  /** Each thread walks the keys. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    int index() {
      int i = next + 1;
      next = i == Cluster.KEYS ? 0 : i;
      return next;
    }
  }

  /** Overwrite of an existing key: the one-phase path. */
  @Benchmark
  public ProposalResult put(Cluster c, Cursor k, Counters n) {
    int i = k.index();
    return c.run(c.coordinatorOf[i], c.keys[i], Command.put(c.value, 0), n);
  }

  /** Write of a key never written: prepare and accept. */
  @Benchmark
  public ProposalResult putFreshKey(Cluster c, Counters n) {
    String key = "fresh-" + (c.freshKeys++);
    ReplicaCore coordinator = c.cores.get(c.cores.values().iterator().next().replicasOf(key).get(0));
    return c.run(coordinator, key, Command.put(c.value, 0), n);
  }

  /** Read of an existing key on a non-coordinator replica: the fast read. */
  @Benchmark
  public ProposalResult get(Cluster c, Cursor k, Counters n) {
    int i = k.index();
    return c.run(c.readerOf[i], c.keys[i], Command.get(), n);
  }
}
