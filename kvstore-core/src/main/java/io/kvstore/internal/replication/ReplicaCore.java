package io.kvstore.internal.replication;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.partition.Partitioner;
import io.kvstore.internal.partition.Placement;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Accept;
import io.kvstore.spi.message.ClientReply;
import io.kvstore.spi.message.ClientRequest;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Purge;
import io.kvstore.spi.message.Read;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The data side of one node, I/O-free: the acceptor, the proposer, replica placement from the
 * cluster configuration, and forwarding of writes to each key's coordinator. <b>Thread-unsafe</b>:
 * confined to the node's loop. Effects must not call back into this core synchronously.
 *
 * <p>Routing: reads run here (fast path, any node may read). Writes go to the key's coordinator,
 * the first replica that membership does not suspect, so that one proposer writes each key and the
 * one-round-trip path applies; any node that receives a forwarded write runs it (no forwarding
 * loops). An operation whose replicas are mostly down is refused at once: definitely not applied.
 */
public final class ReplicaCore {
  private final NodeId self;
  private final Acceptor acceptor;
  private final Proposer proposer;
  private final Proposer.Effects effects;
  private final Set<NodeId> down = new HashSet<>();
  /** Forwarded operations waiting for the coordinator: opId → deadline and kind. */
  private final LinkedHashMap<Long, Forward> forwarded = new LinkedHashMap<>();
  /** Operations this node coordinates for others: opId → requester. */
  private final Map<Long, NodeId> coordinating = new LinkedHashMap<>();
  /** Recently answered forwarded operations, to answer duplicates without running them twice. */
  private final LinkedHashMap<Long, Answered> answered = new LinkedHashMap<>();
  private final int dedupeCapacity;
  private final long dedupeWindowNanos;
  private Placement placement;
  private Partitioner partitioner;
  private long lastNowNanos;
  private static final long PURGE_SCAN_NANOS = 1_000_000_000L;
  private static final int PURGE_BATCH = 32;
  private long nextPurgeScanNanos;
  /** Purge rounds in progress: op id (negative, never a client's) → key. */
  private final Map<Long, String> purgeOps = new LinkedHashMap<>();
  private final Set<String> purgingKeys = new HashSet<>();
  private long nextPurgeOpId = Long.MIN_VALUE / 2;

  private record Forward(long deadlineNanos, NodeId coordinator) {}

  private record Answered(ClientReply reply, long atNanos) {}

  /** Creates the core of node {@code self}. */
  public ReplicaCore(NodeId self, ReplicationConfig config, RandomGenerator random, Proposer.Effects effects) {
    this.self = Objects.requireNonNull(self, "self");
    this.effects = Objects.requireNonNull(effects, "effects");
    this.acceptor = new Acceptor(self);
    this.proposer = new Proposer(self, config, random, new Proposer.Effects() {
      @Override
      public void send(NodeId to, Message message) {
        route(to, message);
      }

      @Override
      public void complete(long opId, ProposalResult result) {
        completed(opId, result);
      }
    });
    this.dedupeCapacity = 100_000;
    this.dedupeWindowNanos = 60_000_000_000L;
  }

  /** Installs a cluster configuration. */
  public void configure(ClusterConfig config) {
    if (placement != null && placement.config().epoch() >= config.epoch()) {
      return;
    }
    placement = new Placement(config);
    partitioner = new Partitioner(config.partitions());
    proposer.dropCachedBallots();
  }

  /** The installed configuration, or null before the cluster is formed. */
  public ClusterConfig config() {
    return placement == null ? null : placement.config();
  }

  /**
   * Membership says {@code node} is suspect or dead ({@code true}) or alive ({@code false}): new
   * writes are not routed to it while it is down.
   */
  public void setDown(NodeId node, boolean isDown) {
    if (isDown) {
      down.add(node);
    } else {
      down.remove(node);
    }
  }

  /**
   * Membership declared {@code node} dead (or it left): writes forwarded to it will not be
   * answered, so they end now, as unknown (it may have applied them before it failed), rather than
   * at their deadline. A mere suspicion does not end them: a suspect often refutes.
   */
  public void nodeFailed(NodeId node) {
    down.add(node);
    for (Iterator<Map.Entry<Long, Forward>> it = forwarded.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Forward> e = it.next();
      if (e.getValue().coordinator().equals(node)) {
        it.remove();
        effects.complete(e.getKey(), new ProposalResult.Unknown(
            "the coordinator " + node + " failed while running the write"));
      }
    }
  }

  /** The acceptor (for invariant checks). */
  public Acceptor acceptor() {
    return acceptor;
  }

  /** The proposer (for counters). */
  public Proposer proposer() {
    return proposer;
  }

  /** The replicas of {@code key} under the installed configuration. */
  public List<NodeId> replicasOf(String key) {
    return placement.replicas(partitioner.partitionOf(key));
  }

  /**
   * Starts a client operation; its result goes to {@link Proposer.Effects#complete}.
   *
   * @param opId a cluster-unique id
   */
  public void submit(long opId, String key, Command command, long deadlineNanos, long nowNanos, long wallMillis) {
    lastNowNanos = nowNanos;
    if (placement == null) {
      effects.complete(opId, new ProposalResult.Unavailable("the cluster is not formed yet"));
      return;
    }
    List<NodeId> replicas = replicasOf(key);
    List<NodeId> live = new ArrayList<>(replicas.size());
    for (NodeId r : replicas) {
      if (!down.contains(r)) {
        live.add(r);
      }
    }
    if (live.size() < replicas.size() / 2 + 1) {
      effects.complete(opId, new ProposalResult.Unavailable(
          "only " + live.size() + " of " + replicas.size() + " replicas of the key are reachable"));
      return;
    }
    NodeId coordinator = live.get(0);
    if (command.kind().isRead() || coordinator.equals(self)) {
      proposer.submit(opId, key, command, replicas, deadlineNanos, nowNanos, wallMillis);
      return;
    }
    forwarded.put(opId, new Forward(deadlineNanos, coordinator));
    route(coordinator, new ClientRequest(opId, self, coordinator, key, kindOf(command), command.value(),
        command.expectedVersion(), command.ttlNanos(), Math.max(1, deadlineNanos - nowNanos)));
  }

  /**
   * Starts an operation on an explicit replica set, outside the placement: for system registers
   * (the cluster configuration) whose replicas are not chosen by key.
   */
  public void submitTo(long opId, String key, Command command, List<NodeId> replicas,
      long deadlineNanos, long nowNanos, long wallMillis) {
    lastNowNanos = nowNanos;
    proposer.submit(opId, key, command, replicas, deadlineNanos, nowNanos, wallMillis);
  }

  /** Handles any data-plane message addressed to this node. */
  public void onMessage(Message m, long nowNanos, long wallMillis) {
    lastNowNanos = nowNanos;
    Message reply = null;
    if (m instanceof Prepare p) {
      reply = acceptor.onPrepare(p);
      if (reply != null) {
        route(p.source(), reply);
      }
    } else if (m instanceof Accept a) {
      reply = acceptor.onAccept(a);
      if (reply != null) {
        route(a.source(), reply);
      }
    } else if (m instanceof Read r) {
      reply = acceptor.onRead(r);
      if (reply != null) {
        route(r.source(), reply);
      }
    } else if (m instanceof Purge p) {
      acceptor.onPurge(p, wallMillis);
    } else if (m instanceof ClientRequest req) {
      onClientRequest(req, nowNanos, wallMillis);
    } else if (m instanceof ClientReply rep) {
      Forward f = forwarded.remove(rep.opId());
      if (f != null) {
        effects.complete(rep.opId(), fromReply(rep));
      }
    } else {
      proposer.onMessage(m, nowNanos, wallMillis);
    }
  }

  private void onClientRequest(ClientRequest req, long nowNanos, long wallMillis) {
    if (!self.equals(req.target())) {
      return;
    }
    Answered done = answered.get(req.opId());
    if (done != null) {
      route(req.source(), done.reply());
      return;
    }
    if (coordinating.containsKey(req.opId()) || placement == null) {
      return; // a duplicate of an operation in progress, or not formed: the requester times out
    }
    coordinating.put(req.opId(), req.source());
    Command c = new Command(commandKind(req.kind()), req.value(), req.expectedVersion(), req.ttlNanos());
    proposer.submit(req.opId(), req.key(), c, replicasOf(req.key()), nowNanos + req.timeoutNanos(), nowNanos, wallMillis);
  }

  /** Advances timers. */
  public void tick(long nowNanos, long wallMillis) {
    lastNowNanos = nowNanos;
    proposer.tick(nowNanos, wallMillis);
    if (placement != null && nowNanos - nextPurgeScanNanos >= 0) {
      nextPurgeScanNanos = nowNanos + PURGE_SCAN_NANOS;
      startPurges(nowNanos, wallMillis);
    }
    for (Iterator<Map.Entry<Long, Forward>> it = forwarded.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Forward> e = it.next();
      if (nowNanos - e.getValue().deadlineNanos() >= 0) {
        it.remove();
        effects.complete(e.getKey(), new ProposalResult.Unknown("the coordinator did not answer in time"));
      }
    }
    for (Iterator<Answered> it = answered.values().iterator(); it.hasNext(); ) {
      Answered a = it.next();
      if (answered.size() <= dedupeCapacity && nowNanos - a.atNanos() < dedupeWindowNanos) {
        break;
      }
      it.remove();
    }
  }

  /**
   * Deleted and expired values leave tombstones; this turns them into nothing. For a few keys
   * whose value here is a tombstone or has expired, a purge round writes the tombstone to every
   * replica and then tells them all to drop the key (see {@link Proposer}). A purge yields to any
   * competing write and is simply tried again at a later scan.
   */
  private void startPurges(long nowNanos, long wallMillis) {
    for (String key : acceptor.purgeCandidates(wallMillis, PURGE_BATCH)) {
      if (purgingKeys.contains(key)) {
        continue;
      }
      List<NodeId> replicas = replicasOf(key);
      boolean allUp = true;
      for (NodeId r : replicas) {
        allUp &= !down.contains(r);
      }
      if (!allUp) {
        continue; // a purge needs every replica; wait until membership sees them all alive
      }
      long opId = nextPurgeOpId--;
      purgingKeys.add(key);
      purgeOps.put(opId, key);
      proposer.submit(opId, key, Command.purge(), replicas,
          nowNanos + PURGE_SCAN_NANOS, nowNanos, wallMillis);
    }
  }

  private void completed(long opId, ProposalResult result) {
    String purgedKey = purgeOps.remove(opId);
    if (purgedKey != null) {
      purgingKeys.remove(purgedKey);
      return;
    }
    NodeId requester = coordinating.remove(opId);
    if (requester == null) {
      effects.complete(opId, result);
      return;
    }
    ClientReply reply = toReply(opId, result);
    answered.put(opId, new Answered(reply, lastNowNanos));
    route(requester, reply);
  }

  /** Every message leaves through the effects, messages to this node too (the driver loops them back). */
  private void route(NodeId to, Message m) {
    effects.send(to, m);
  }

  private ClientReply toReply(long opId, ProposalResult r) {
    if (r instanceof ProposalResult.Done d) {
      Outcome o = d.outcome();
      return new ClientReply(opId, self, ClientReply.Status.DONE, o.applied(), o.version(), o.value(), "");
    } else if (r instanceof ProposalResult.Unavailable u) {
      return new ClientReply(opId, self, ClientReply.Status.UNAVAILABLE, false, 0, null, u.reason());
    } else if (r instanceof ProposalResult.Contention c) {
      return new ClientReply(opId, self, ClientReply.Status.CONTENTION, false, 0, null, c.reason());
    }
    return new ClientReply(opId, self, ClientReply.Status.UNKNOWN, false, 0, null, ((ProposalResult.Unknown) r).reason());
  }

  private static ProposalResult fromReply(ClientReply r) {
    return switch (r.status()) {
      case DONE -> new ProposalResult.Done(new Outcome(r.applied(), r.version(), r.value()));
      case UNAVAILABLE -> new ProposalResult.Unavailable(r.reason());
      case CONTENTION -> new ProposalResult.Contention(r.reason());
      case UNKNOWN -> new ProposalResult.Unknown(r.reason());
    };
  }

  private static ClientRequest.Kind kindOf(Command c) {
    return ClientRequest.Kind.valueOf(c.kind().name());
  }

  private static Command.Kind commandKind(ClientRequest.Kind k) {
    return Command.Kind.valueOf(k.name());
  }
}
