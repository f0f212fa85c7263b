package io.kvstore.internal.replication;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Accept;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Read;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;

/**
 * A tiny step-controlled cluster of acceptors and proposers for scenario tests of the replication
 * core: messages wait in one FIFO queue until the test delivers them; a filter can drop any of them.
 */
final class MiniCluster {
  record Envelope(NodeId from, NodeId to, Message message) {}

  final List<NodeId> ids = new ArrayList<>();
  final Map<NodeId, Acceptor> acceptors = new LinkedHashMap<>();
  final Map<NodeId, Proposer> proposers = new LinkedHashMap<>();
  final Map<Long, ProposalResult> results = new LinkedHashMap<>();
  final ArrayDeque<Envelope> queue = new ArrayDeque<>();
  final Set<NodeId> down = new HashSet<>();
  BiPredicate<Envelope, Integer> drop = (e, n) -> false;
  long now;
  int delivered;
  private long nextOp = 1;

  MiniCluster(int n, ReplicationConfig config) {
    for (int i = 1; i <= n; i++) {
      NodeId id = new NodeId("n" + i, 100 + i);
      ids.add(id);
      acceptors.put(id, new Acceptor(id));
      proposers.put(
          id,
          new Proposer(
              id,
              config,
              new SplittableRandom(i),
              new Proposer.Effects() {
                @Override
                public void send(NodeId to, Message message) {
                  queue.add(new Envelope(id, to, message));
                }

                @Override
                public void complete(long opId, ProposalResult result) {
                  results.put(opId, result);
                }
              }));
    }
  }

  NodeId id(int i) {
    return ids.get(i - 1);
  }

  long submit(int proposer, String key, Command c) {
    long op = nextOp++;
    proposers.get(id(proposer)).submit(op, key, c, io.kvstore.internal.partition.ReplicaSet.of(ids), now + 5_000_000_000L, now, now / 1_000_000);
    return op;
  }

  /** Delivers queued messages until none is left (bounded). */
  void deliverAll() {
    for (int guard = 0; guard < 100_000 && !queue.isEmpty(); guard++) {
      deliverOne();
    }
  }

  void deliverOne() {
    Envelope e = queue.poll();
    if (e == null) {
      return;
    }
    delivered++;
    if (down.contains(e.to()) || down.contains(e.from()) || drop.test(e, delivered)) {
      return;
    }
    Message m = e.message();
    Message reply = null;
    Acceptor a = acceptors.get(e.to());
    if (m instanceof Prepare p) {
      reply = a.onPrepare(p);
    } else if (m instanceof Accept x) {
      reply = a.onAccept(x);
    } else if (m instanceof Read r) {
      reply = a.onRead(r);
    } else if (m instanceof io.kvstore.spi.message.Purge p) {
      a.onPurge(p, now / 1_000_000);
    } else {
      proposers.get(e.to()).onMessage(m, now, now / 1_000_000);
    }
    if (reply != null) {
      queue.add(new Envelope(e.to(), e.from(), reply));
    }
  }

  void advance(long nanos) {
    long end = now + nanos;
    while (now < end) {
      now = Math.min(end, now + 10_000_000L);
      for (Proposer p : proposers.values()) {
        p.tick(now, now / 1_000_000);
      }
      deliverAll();
    }
  }
}
