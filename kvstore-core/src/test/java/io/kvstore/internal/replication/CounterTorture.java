package io.kvstore.internal.replication;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.spi.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A seeded, single-threaded torture run of {@link ReplicaCore}s: clients increment one counter by
 * read + compare-and-set through random nodes while the network drops, duplicates, delays and
 * reorders messages and cuts nodes off. Every acknowledged increment must be in the final value,
 * and no more than acknowledged plus unknown ones.
 */
final class CounterTorture {
  private record Event(long at, long seq, Runnable action) {}

  final SplittableRandom random;
  final ReplicationConfig config;
  final List<NodeId> ids = new ArrayList<>();
  final Map<NodeId, ReplicaCore> cores = new HashMap<>();
  final Map<Long, java.util.function.Consumer<ProposalResult>> waiting = new HashMap<>();
  private final PriorityQueue<Event> events =
      new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long seq;
  long now;
  final boolean[] isolated;
  long acked;
  long unknown;
  long failed;
  private long nextOp = 1;

  CounterTorture(long seed, int nodes, ReplicationConfig config) {
    this.random = new SplittableRandom(seed);
    this.config = config;
    this.isolated = new boolean[nodes];
    for (int i = 0; i < nodes; i++) {
      NodeId id = new NodeId("n" + i, i + 1);
      ids.add(id);
    }
    ClusterConfig cc = new ClusterConfig(1, ids, 3, 8);
    for (NodeId id : ids) {
      ReplicaCore core =
          new ReplicaCore(id, config, random.split(), new Proposer.Effects() {
            @Override
            public void send(NodeId to, Message message) {
              transmit(id, to, message);
            }

            @Override
            public void complete(long opId, ProposalResult result) {
              var k = waiting.remove(opId);
              at(now, () -> k.accept(result));
            }
          });
      core.configure(cc);
      cores.put(id, core);
    }
  }

  void at(long time, Runnable r) {
    events.add(new Event(time, seq++, r));
  }

  private void transmit(NodeId from, NodeId to, Message m) {
    int f = ids.indexOf(from);
    int t = ids.indexOf(to);
    if ((isolated[f] || isolated[t]) && f != t) {
      return;
    }
    if (f != t && random.nextInt(100) < 5) {
      return; // lost
    }
    int copies = f != t && random.nextInt(100) < 3 ? 2 : 1;
    for (int c = 0; c < copies; c++) {
      long delay = f == t ? 0 : 1_000_000L + random.nextLong(20_000_000L);
      if (random.nextInt(100) == 0) {
        delay += 400_000_000L; // long tail
      }
      at(now + delay, () -> {
        if (!isolated[t] || f == t) {
          cores.get(to).onMessage(m, now, now / 1_000_000);
        }
      });
    }
  }

  void submit(int node, String key, Command c, java.util.function.Consumer<ProposalResult> k) {
    long op = (long) node << 40 | nextOp++;
    waiting.put(op, k);
    cores.get(ids.get(node)).submit(op, key, c, now + 2_000_000_000L, now, now / 1_000_000);
  }

  /** One client: read, then compare-and-set value+1, until {@code until}. */
  void client(long until) {
    if (now >= until) {
      return;
    }
    int node = random.nextInt(ids.size());
    submit(node, "counter", Command.get(), r -> {
      if (!(r instanceof ProposalResult.Done d)) {
        at(now + 5_000_000L, () -> client(until));
        return;
      }
      long value = d.outcome().applied() ? Long.parseLong(new String(d.outcome().value(), StandardCharsets.UTF_8)) : 0;
      byte[] next = Long.toString(value + 1).getBytes(StandardCharsets.UTF_8);
      int n2 = random.nextInt(ids.size());
      submit(n2, "counter", Command.compareAndSet(d.outcome().version(), next, 0), w -> {
        if (w instanceof ProposalResult.Done dw) {
          if (dw.outcome().applied()) {
            acked++;
          }
        } else if (w instanceof ProposalResult.Unknown) {
          unknown++;
        } else {
          failed++;
        }
        at(now + random.nextLong(3_000_000L), () -> client(until));
      });
    });
  }

  void run(long untilNanos) {
    for (int guard = 0; guard < 50_000_000 && !events.isEmpty(); guard++) {
      Event e = events.poll();
      now = e.at;
      e.action.run();
      if (now > untilNanos + 10_000_000_000L) {
        break;
      }
    }
  }

  void startTicks(long untilNanos) {
    for (NodeId id : ids) {
      tick(id, untilNanos);
    }
  }

  private void tick(NodeId id, long until) {
    cores.get(id).tick(now, now / 1_000_000);
    for (ReplicaCore c : cores.values()) {
      c.acceptor().checkInvariants();
    }
    if (now < until + 5_000_000_000L) {
      at(now + 10_000_000L, () -> tick(id, until));
    }
  }

  /** Reads the counter with no faults, after the run. */
  long finalValue() {
    java.util.Arrays.fill(isolated, false);
    startTicks(now); // timers run: a lost message is retried (hedges, round timeouts)
    long[] out = {-1};
    submit(0, "counter", Command.get(), r -> {
      var d = (ProposalResult.Done) r;
      out[0] = d.outcome().applied() ? Long.parseLong(new String(d.outcome().value(), StandardCharsets.UTF_8)) : 0;
    });
    long end = now + 3_000_000_000L;
    for (int guard = 0; guard < 1_000_000 && !events.isEmpty() && out[0] < 0; guard++) {
      Event e = events.poll();
      now = e.at;
      e.action.run();
      if (now > end) {
        break;
      }
    }
    return out[0];
  }
}
