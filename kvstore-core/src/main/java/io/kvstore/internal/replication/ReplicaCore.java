package io.kvstore.internal.replication;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.partition.Partitioner;
import io.kvstore.internal.partition.Placement;
import io.kvstore.internal.partition.ReplicaSet;
import io.kvstore.spi.message.SnapshotChunk;
import io.kvstore.spi.message.SnapshotRequest;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.Accept;
import io.kvstore.spi.message.Accepted;
import io.kvstore.spi.message.ClientReply;
import io.kvstore.spi.message.ClientRequest;
import io.kvstore.spi.message.Prepare;
import io.kvstore.spi.message.Purge;
import io.kvstore.spi.message.Read;
import java.util.ArrayList;
import java.util.HashMap;
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
  /** The key of the configuration register; user keys may not start with U+0000. */
  public static final String CONFIG_KEY = "\u0000kvstore/config";
  /** The configuration register is kept by at most this many members, chosen by id order. */
  public static final int VOTER_CAP = 5;
  /** Partitions caught up at once by one node. */
  private static final int CATCH_UP_PARALLELISM = 8;
  /** Entries per snapshot chunk, and the value bytes one chunk carries at most. */
  private static final int CHUNK_ENTRIES = 512;
  private static final int CHUNK_BYTES = 512 * 1024;
  private static final long CHUNK_RETRY_NANOS = 1_000_000_000L;
  private static final long BEHIND_RETRY_NANOS = 200_000_000L;
  private static final int STALL_RETRIES = 3;

  private final NodeId self;
  private final ReplicationConfig replication;
  private final Acceptor acceptor;
  private final Proposer proposer;
  private final Proposer.Effects effects;
  private final Set<NodeId> down = new HashSet<>();
  /** Peers whose stream broke (a hint from the transport, cleared when it works again). */
  private final Set<NodeId> unreachable = new HashSet<>();
  /** Forwarded operations waiting for the coordinator: opId → deadline and kind. */
  private final LinkedHashMap<Long, Forward> forwarded = new LinkedHashMap<>();
  /** Operations this node coordinates for others: opId → requester. */
  private final Map<Long, NodeId> coordinating = new LinkedHashMap<>();
  /** Recently answered forwarded operations, to answer duplicates without running them twice. */
  private final AnsweredWindow answered;
  /** Operations coordinated here whose accepts told the requester the outcome: opId → state. */
  private final Map<Long, Answering> answering = new HashMap<>();
  /** The rounds of those accepts: roundId → opId. */
  private final Map<Long, Long> answerRounds = new HashMap<>();
  /** Forwarded writes this node answered on taking an accept, before the coordinator's reply. */
  private long answeredOnAccept;
  private Placement placement;
  /** While a change is in progress: the placement before it. */
  private Placement oldPlacement;
  private Partitioner partitioner;
  private long epoch;
  /** Told "this node runs an older (or newer) configuration than ours": send it ours. */
  private java.util.function.Consumer<NodeId> configGossip = n -> { };
  /** Whether this node may be a founding member of a new cluster (else it only joins one). */
  private boolean founder = true;
  // Catch-up of the partitions this node is a new replica of, under the installed joint epoch.
  private final java.util.TreeMap<Integer, CatchUp> catchUps = new java.util.TreeMap<>();
  private final java.util.TreeSet<Integer> caughtUp = new java.util.TreeSet<>();
  private final Map<Long, CatchUp> identityOps = new LinkedHashMap<>();
  private final Map<Long, String> identityKeys = new LinkedHashMap<>();
  private long nextIdentityOpId = Long.MIN_VALUE / 4;
  private int movingPartitions;
  private long keysReceived;
  private long bytesReceived;
  private boolean catchUpChanged;
  /** The keys of each partition as they were when this node first served a snapshot this epoch. */
  private Map<Integer, List<String>> snapshotIndex;
  private long lastNowNanos;
  private static final long PURGE_SCAN_NANOS = 1_000_000_000L;
  private static final int PURGE_BATCH = 32;
  private long nextPurgeScanNanos;
  /** Purge rounds in progress: op id (negative, never a client's) → key. */
  private final Map<Long, String> purgeOps = new LinkedHashMap<>();
  private final Set<String> purgingKeys = new HashSet<>();
  private long nextPurgeOpId = Long.MIN_VALUE / 2;

  private record Forward(long deadlineNanos, NodeId coordinator) {}

  /**
   * A coordinated operation whose accepts carried the outcome to its requester. The requester
   * answers its client if it takes such an accept, and says so in its {@link Accepted}; this node
   * replies unless it hears that, once every such accept was answered or a round timeout passed.
   * A requester that does not know answers never says so, and gets the reply as before.
   */
  private static final class Answering {
    final NodeId requester;
    /** The requester said it answered its client (or that none waits there any more). */
    boolean taken;
    /** Accepts carrying the outcome whose reply from the requester has not come yet. */
    int waiting;
    /** Our reply, held while {@link #waiting}; sent if the requester took none. */
    ClientReply owed;
    long owedUntilNanos;

    Answering(NodeId requester) {
      this.requester = requester;
    }
  }

  /** Catching up one partition from its old replicas. */
  private static final class CatchUp {
    final int partition;
    final List<NodeId> sources;
    /** Complete snapshots needed (a majority of the old replicas, this node counted if one). */
    final int needed;
    final Map<NodeId, Integer> offsets = new LinkedHashMap<>();
    final Map<NodeId, Long> waitingUntil = new LinkedHashMap<>();
    /** Requests a source left unanswered in a row; a silent source is supplemented by another. */
    final Map<NodeId, Integer> misses = new LinkedHashMap<>();
    final Set<NodeId> complete = new HashSet<>();
    /** Keys whose streamed value a promise here refused: a quorum read writes them back instead. */
    final java.util.LinkedHashSet<String> identity = new java.util.LinkedHashSet<>();
    final Set<String> identityRunning = new HashSet<>();
    boolean started;

    CatchUp(int partition, List<NodeId> sources, int needed) {
      this.partition = partition;
      this.sources = sources;
      this.needed = needed;
      for (NodeId s : sources) {
        offsets.put(s, 0);
      }
    }

    boolean done() {
      return complete.size() >= needed && identity.isEmpty();
    }
  }

  /** Creates the core of node {@code self}. */
  public ReplicaCore(NodeId self, ReplicationConfig config, RandomGenerator random, Proposer.Effects effects) {
    this.self = Objects.requireNonNull(self, "self");
    this.replication = Objects.requireNonNull(config, "config");
    this.effects = Objects.requireNonNull(effects, "effects");
    this.acceptor = new Acceptor(self);
    this.proposer = new Proposer(self, config, random, new Proposer.Effects() {
      @Override
      public void send(NodeId to, Message message) {
        if (message instanceof Accept a && a.answer() != null) {
          long opId = a.answer().opId();
          answering.computeIfAbsent(opId, k -> new Answering(a.target())).waiting++;
          answerRounds.put(a.roundId(), opId);
        }
        route(to, message);
      }

      @Override
      public void complete(long opId, ProposalResult result) {
        completed(opId, result);
      }

      @Override
      public Accepted acceptHere(Accept a) {
        return fenced(a.key(), a.epoch(), a.source()) ? null : acceptor.onAccept(a);
      }
    });
    proposer.setSuspect(n -> down.contains(n) || unreachable.contains(n));
    this.answered = new AnsweredWindow(100_000, 60_000_000_000L);
  }

  /** Installs a cluster configuration (at time zero: tests that never change it). */
  public void configure(ClusterConfig config) {
    configure(config, lastNowNanos, 0);
  }

  /**
   * Installs a cluster configuration with a higher epoch than the installed one. From now on this
   * node refuses data messages of older epochs. Under a joint configuration, it starts catching up
   * the partitions it is a new replica of; under a final one, it drops the keys of partitions it
   * no longer holds.
   */
  public void configure(ClusterConfig config, long nowNanos, long wallMillis) {
    if (placement != null && placement.config().epoch() >= config.epoch()) {
      return;
    }
    lastNowNanos = nowNanos;
    placement = new Placement(config);
    oldPlacement = config.joint() ? new Placement(config.before()) : null;
    partitioner = new Partitioner(config.partitions());
    epoch = config.epoch();
    snapshotIndex = null;
    markPredecessorsDown(config);
    proposer.configure(epoch, this::replicaSetOf, nowNanos, wallMillis);
    planCatchUp();
    if (config.joint()) {
      dropWhereNew();
    } else {
      acceptor.drop(k -> !CONFIG_KEY.equals(k) && !placement.replicas(partitioner.partitionOf(k)).contains(self));
    }
  }

  /**
   * Earlier boots of this node's name in {@code config} are down: this process took their name
   * (and address), so they will never answer. Membership may never report them, since a node does
   * not gossip about identities at its own address; without this, catch-up would wait on them as
   * a source and reads would ask them first.
   */
  private void markPredecessorsDown(ClusterConfig config) {
    for (NodeId n : config.everyone()) {
      if (n.name().equals(self.name()) && n.boot() != self.boot()) {
        down.add(n);
      }
    }
  }

  /**
   * A node that becomes a new replica of a partition holds nothing of it that counts: it was no
   * replica under the configuration before, and it answers nothing under this one before it
   * installed it. What it may still hold is stale, from an earlier time it was a replica (a member
   * removed while it was cut off, then added again): a value purged since would come back from
   * it. So it starts empty there, and catch-up fills it.
   */
  private void dropWhereNew() {
    boolean[] isNew = new boolean[partitioner.partitionCount()];
    boolean any = false;
    for (int p = 0; p < isNew.length; p++) {
      ReplicaSet rs = replicaSet(p);
      isNew[p] = rs.joint() && rs.current().contains(self) && !rs.previous().contains(self);
      any |= isNew[p];
    }
    if (any) {
      acceptor.drop(k -> !CONFIG_KEY.equals(k) && isNew[partitioner.partitionOf(k)]);
    }
  }

  /**
   * Whether this node may be a founding member of a new cluster. A node that may not (started to
   * join an existing cluster) refuses the messages of a forming node.
   */
  public void founder(boolean mayFound) {
    this.founder = mayFound;
  }

  /**
   * Sets what to do when a node's configuration should be sent to another one (it ran another
   * epoch, or it is forming a cluster this node cannot found with).
   */
  public void onConfigGossip(java.util.function.Consumer<NodeId> gossip) {
    this.configGossip = Objects.requireNonNull(gossip, "gossip");
  }

  /** The voters of the configuration register among {@code members}: the first few by id. */
  public static List<NodeId> voters(List<NodeId> members) {
    List<NodeId> sorted = new ArrayList<>(members);
    sorted.sort(null);
    return List.copyOf(sorted.subList(0, Math.min(VOTER_CAP, sorted.size())));
  }

  /**
   * The replicas of the configuration register under {@code c}. Under a forced configuration, the
   * survivors' voters alone: the old voters lost their majority, which is why it was forced.
   */
  public static ReplicaSet configReplicas(ClusterConfig c) {
    List<NodeId> now = voters(c.members());
    if (c.forced()) {
      return ReplicaSet.of(now);
    }
    List<NodeId> before = c.joint() ? voters(c.previous()) : List.of();
    return new ReplicaSet(now, before.equals(now) ? List.of() : before);
  }

  /** The replicas of partition {@code p} under the installed configuration. */
  public ReplicaSet replicaSet(int p) {
    List<NodeId> now = placement.replicas(p);
    if (oldPlacement == null) {
      return ReplicaSet.of(now);
    }
    if (replication.mutation() == ReplicationConfig.Mutation.JOINT_USES_NEW_QUORUM_ONLY) {
      return ReplicaSet.of(now);
    }
    return movement(p);
  }

  /** Whether the change in progress moves partition {@code p} to other replicas. */
  public boolean moving(int p) {
    return movement(p).joint();
  }

  /** Partition {@code p}'s old and new replicas (the joint set while it moves). */
  private ReplicaSet movement(int p) {
    List<NodeId> now = placement.replicas(p);
    if (oldPlacement == null) {
      return ReplicaSet.of(now);
    }
    List<NodeId> before = oldPlacement.replicas(p);
    if (placement.config().forced()) {
      List<NodeId> survived = forcedBefore(before, placement.config().members(), replication);
      if (!survived.equals(before)) {
        boolean same = survived.containsAll(now) && now.containsAll(survived);
        if (survived.isEmpty() || (same && !survivorsMayDiffer(survived, now))) {
          return ReplicaSet.of(now); // nothing survived to catch up from, or nothing moves
        }
        return new ReplicaSet(now, survived);
      }
    }
    return new ReplicaSet(now, before.equals(now) ? List.of() : before);
  }

  /**
   * The old replica set that still counts under a forced configuration whose members are {@code
   * survivors}. If the survivors are a majority of {@code old}, the whole old set, dead members
   * included: its majorities hold every acknowledged write, and the usual joint rule keeps them.
   * Otherwise only the survivors (in the old order): whatever of the old data they hold is all
   * that is left, and a set the dead are no part of lets the change complete without them.
   */
  static List<NodeId> forcedBefore(List<NodeId> old, List<NodeId> survivors, ReplicationConfig rc) {
    List<NodeId> alive = new ArrayList<>(old.size());
    for (NodeId n : old) {
      if (survivors.contains(n)) {
        alive.add(n);
      }
    }
    return alive.size() >= rc.quorum(old.size()) ? old : List.copyOf(alive);
  }

  /**
   * Whether survivors {@code before} of a set that lost its majority, each of which may hold a
   * value none of the others has, could form a majority of {@code now} without one of them: then
   * they must all catch up from each other too.
   */
  private boolean survivorsMayDiffer(List<NodeId> before, List<NodeId> now) {
    int stay = 0;
    for (NodeId n : before) {
      if (now.contains(n)) {
        stay++;
      }
    }
    return stay - 1 >= replication.quorum(now.size());
  }

  /** Whether partition {@code p}'s old set was cut down to its survivors by a forced change. */
  private boolean cutDown(ReplicaSet rs, int p) {
    return placement.config().forced() && !rs.previous().equals(oldPlacement.replicas(p));
  }

  private ReplicaSet replicaSetOf(String key) {
    if (CONFIG_KEY.equals(key)) {
      return configReplicas(placement.config());
    }
    return replicaSet(partitioner.partitionOf(key));
  }

  /** The partition of {@code key}. */
  public int partitionOf(String key) {
    return partitioner.partitionOf(key);
  }

  /**
   * Whether the replicas that stay in a moved partition must be caught up too, not only the new
   * ones. The invariant every change must keep: each chosen value is held by a majority of the
   * current replica set (the next change relies on it). A chosen value is on a majority of the old
   * set, so up to {@code before - quorum(before)} of the staying replicas may lack it; if that can
   * be more than the new set can spare ({@code now - quorum(now)}), the staying ones catch up as
   * well. Example: three replicas shrinking to two; a value written by the two others is on one
   * of the two that stay. Without the catch-up that set still answers correctly (its quorum is
   * both), but shrinking it once more to the replica lacking the value would lose it.
   */
  private boolean catchUpEveryone(ReplicaSet rs) {
    int before = rs.previous().size();
    int now = rs.current().size();
    int stay = 0;
    for (NodeId n : rs.current()) {
      if (rs.previous().contains(n)) {
        stay++;
      }
    }
    int mayLack = Math.min(stay, before - replication.quorum(before));
    return mayLack > now - replication.quorum(now);
  }

  /** The new replicas of partition {@code p} that must catch up before the change completes. */
  public List<NodeId> catchUpTargets(int p) {
    ReplicaSet rs = movement(p);
    if (!rs.joint() || replication.mutation() == ReplicationConfig.Mutation.SKIP_CATCH_UP) {
      return List.of();
    }
    boolean everyone = catchUpEveryone(rs)
        || (cutDown(rs, p) && survivorsMayDiffer(rs.previous(), rs.current()));
    List<NodeId> out = new ArrayList<>();
    for (NodeId n : rs.current()) {
      if (everyone || !rs.previous().contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  private void planCatchUp() {
    catchUps.clear();
    caughtUp.clear();
    identityOps.clear();
    identityKeys.clear();
    movingPartitions = 0;
    keysReceived = 0;
    bytesReceived = 0;
    catchUpChanged = true;
    if (oldPlacement == null) {
      return;
    }
    for (int p = 0; p < partitioner.partitionCount(); p++) {
      ReplicaSet rs = movement(p);
      if (!rs.joint()) {
        continue;
      }
      movingPartitions++;
      if (!catchUpTargets(p).contains(self)) {
        continue;
      }
      boolean wasReplica = rs.previous().contains(self);
      List<NodeId> sources = new ArrayList<>(rs.previous());
      sources.remove(self);
      // Survivors of a set that lost its majority: any one of them may hold the only copy left of
      // a value, so every one of them is streamed from.
      int needed = cutDown(rs, p) ? sources.size()
          : replication.quorum(rs.previous().size()) - (wasReplica ? 1 : 0);
      catchUps.put(p, new CatchUp(p, List.copyOf(sources), Math.max(0, needed)));
    }
  }

  /** The installed epoch (0 before the cluster is formed). */
  public long epoch() {
    return epoch;
  }

  /** Partitions whose replica set the change in progress moves (0 with no change in progress). */
  public int movingPartitions() {
    return movingPartitions;
  }

  /** The partitions this node has caught up under the installed joint epoch, ascending. */
  public List<Integer> caughtUpPartitions() {
    return List.copyOf(caughtUp);
  }

  /** How many partitions this node still has to catch up under the installed epoch. */
  public int catchUpPending() {
    return catchUps.size();
  }

  /** Keys received by catch-up under the installed epoch. */
  public long keysReceived() {
    return keysReceived;
  }

  /** Value bytes received by catch-up under the installed epoch. */
  public long bytesReceived() {
    return bytesReceived;
  }

  /** Whether catch-up progress changed since the last call (to report it promptly). */
  public boolean takeCatchUpChanged() {
    boolean c = catchUpChanged;
    catchUpChanged = false;
    return c;
  }

  /** The placement of the installed configuration's members, or null before it is formed. */
  public Placement placement() {
    return placement;
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
   * The transport's stream to {@code node} broke ({@code true}) or works again ({@code false}).
   * Writes forwarded to it end now as unknown (it may have applied them, and its answer may never
   * come), and new writes go to another replica while it stays unreachable: a crashed coordinator
   * then stalls its writes for a connection's lifetime, not until failure detection declares it
   * dead. A hint only: quorums and the fail-fast check still follow membership.
   */
  public void setUnreachable(NodeId node, boolean isUnreachable) {
    if (!isUnreachable) {
      unreachable.remove(node);
      return;
    }
    unreachable.add(node);
    endForwardsTo(node, "the connection to the coordinator " + node + " broke while it ran the write");
  }

  /**
   * Membership declared {@code node} dead (or it left): writes forwarded to it will not be
   * answered, so they end now, as unknown (it may have applied them before it failed), rather than
   * at their deadline. A mere suspicion does not end them: a suspect often refutes.
   */
  public void nodeFailed(NodeId node) {
    down.add(node);
    endForwardsTo(node, "the coordinator " + node + " failed while running the write");
  }

  private void endForwardsTo(NodeId node, String why) {
    for (Iterator<Map.Entry<Long, Forward>> it = forwarded.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Forward> e = it.next();
      if (e.getValue().coordinator().equals(node)) {
        it.remove();
        effects.complete(e.getKey(), new ProposalResult.Unknown(why));
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

  /** Whether a majority of every set in {@code rs} is not known to be down. */
  private boolean reachable(ReplicaSet rs) {
    return liveCount(rs.current()) >= replication.quorum(rs.current().size())
        && (!rs.joint() || liveCount(rs.previous()) >= replication.quorum(rs.previous().size()));
  }

  private int liveCount(List<NodeId> set) {
    int n = 0;
    for (NodeId r : set) {
      if (!down.contains(r)) {
        n++;
      }
    }
    return n;
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
    ReplicaSet replicas = replicaSetOf(key);
    if (!reachable(replicas)) {
      effects.complete(opId, new ProposalResult.Unavailable(
          "only " + liveCount(replicas.current()) + " of " + replicas.current().size()
              + " replicas of the key are reachable"));
      return;
    }
    NodeId coordinator = null;
    NodeId firstUp = null;
    for (NodeId r : replicas.all()) {
      if (!down.contains(r)) {
        if (firstUp == null) {
          firstUp = r;
        }
        if (!unreachable.contains(r)) {
          coordinator = r;
          break;
        }
      }
    }
    if (coordinator == null) {
      coordinator = firstUp;
    }
    if (command.kind().isRead() || coordinator.equals(self)) {
      proposer.submit(opId, key, command, deadlineNanos, nowNanos, wallMillis);
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
  public void submitTo(long opId, String key, Command command, ReplicaSet replicas,
      long deadlineNanos, long nowNanos, long wallMillis) {
    lastNowNanos = nowNanos;
    proposer.submit(opId, key, command, replicas, deadlineNanos, nowNanos, wallMillis);
  }

  /**
   * A data message of epoch {@code e} for {@code key}: refused unless of our epoch (the register's
   * own rule aside).
   */
  private boolean fenced(String key, long e, NodeId source) {
    if (CONFIG_KEY.equals(key)) {
      if (e == 0 && (epoch > 0 || !founder)) {
        // The sender holds no configuration: it is forming a cluster (probing whether the chosen
        // members already hold one, or writing epoch 1). This node belongs to a formed cluster even
        // if its replica of the register is empty (a configuration learned by announcement, not
        // as a voter): refuse, so that neither the probe nor the write counts it as absent, and
        // send the configuration, so that the sender joins instead. A node started to join, not
        // to found, refuses too (and says it waits): it may be a fresh node beside a restarted
        // one, both cut off from the cluster they should join, and must not found another.
        configGossip.accept(source);
        return true;
      }
      return false;
    }
    if (e == epoch) {
      return false;
    }
    // One of us runs an older configuration: exchange them. Newer epochs are refused too, until
    // this node installs that configuration: a node that becomes a new replica of a partition
    // drops what it held of it when it installs the change (below), so it must not have answered
    // anything under that change before.
    configGossip.accept(source);
    return true;
  }

  /** Handles any data-plane message addressed to this node. */
  public void onMessage(Message m, long nowNanos, long wallMillis) {
    lastNowNanos = nowNanos;
    Message reply = null;
    if (m instanceof Prepare p) {
      if (fenced(p.key(), p.epoch(), p.source())) {
        return;
      }
      reply = acceptor.onPrepare(p);
      if (reply != null) {
        route(p.source(), reply);
      }
    } else if (m instanceof Accept a) {
      if (fenced(a.key(), a.epoch(), a.source())) {
        return;
      }
      Accepted taken = acceptor.onAccept(a);
      if (taken != null) {
        route(a.source(), a.answer() != null && taken.ok() && answerOnAccept(a) ? taken.withAnswered() : taken);
      }
    } else if (m instanceof Read r) {
      if (fenced(r.key(), r.epoch(), r.source())) {
        return;
      }
      reply = acceptor.onRead(r);
      if (reply != null) {
        route(r.source(), reply);
      }
    } else if (m instanceof Purge p) {
      if (p.epoch() == epoch && placement != null && !placement.config().joint()) {
        acceptor.onPurge(p, wallMillis); // a purge of another configuration may miss a replica
      }
    } else if (m instanceof SnapshotRequest req) {
      onSnapshotRequest(req);
    } else if (m instanceof SnapshotChunk c) {
      onSnapshotChunk(c, nowNanos);
    } else if (m instanceof ClientRequest req) {
      onClientRequest(req, nowNanos, wallMillis);
    } else if (m instanceof ClientReply rep) {
      Forward f = forwarded.remove(rep.opId());
      if (f != null) {
        effects.complete(rep.opId(), fromReply(rep));
      }
    } else {
      if (m instanceof Accepted a && !answerRounds.isEmpty()) {
        onRequesterAccepted(a); // before the proposer, which may complete the operation
      }
      proposer.onMessage(m, nowNanos, wallMillis);
    }
  }

  /**
   * This node forwarded a write and just took its coordinator's accept, which carries the outcome:
   * the coordinator took that accept before sending it, and the two make a quorum, so the value is
   * chosen. Answer the client now.
   *
   * @return whether no client of the operation waits here any more (so the coordinator need not
   *     reply)
   */
  private boolean answerOnAccept(Accept a) {
    long opId = a.answer().opId();
    Forward f = forwarded.get(opId);
    if (f == null) {
      return true; // answered already, or ended at its deadline
    }
    if (!f.coordinator().equals(a.source())) {
      return false;
    }
    forwarded.remove(opId);
    answeredOnAccept++;
    effects.complete(opId, new ProposalResult.Done(new Outcome(a.answer().applied(), a.answer().version(), null)));
    return true;
  }

  /** The requester's reply to an accept that carried its answer. */
  private void onRequesterAccepted(Accepted a) {
    Long opId = answerRounds.get(a.roundId());
    if (opId == null) {
      return;
    }
    Answering s = answering.get(opId);
    if (s == null) {
      answerRounds.remove(a.roundId());
      return;
    }
    if (!s.requester.equals(a.source())) {
      return;
    }
    answerRounds.remove(a.roundId());
    s.waiting--;
    s.taken |= a.ok() && a.answered();
    if (s.owed != null && (s.taken || s.waiting <= 0)) {
      answering.remove(opId);
      if (!s.taken) {
        route(s.requester, s.owed);
      }
    }
  }

  /** How many forwarded writes this node answered on taking their accept. */
  public long answeredOnAccept() {
    return answeredOnAccept;
  }

  private void onClientRequest(ClientRequest req, long nowNanos, long wallMillis) {
    if (!self.equals(req.target())) {
      return;
    }
    ClientReply done = answered.get(req.opId(), self);
    if (done != null) {
      route(req.source(), done);
      return;
    }
    if (coordinating.containsKey(req.opId()) || placement == null) {
      return; // a duplicate of an operation in progress, or not formed: the requester times out
    }
    coordinating.put(req.opId(), req.source());
    Command c = new Command(commandKind(req.kind()), req.value(), req.expectedVersion(), req.ttlNanos());
    proposer.submitForwarded(req.opId(), req.key(), c, req.source(), nowNanos + req.timeoutNanos(), nowNanos, wallMillis);
  }

  /** Advances timers. */
  public void tick(long nowNanos, long wallMillis) {
    lastNowNanos = nowNanos;
    proposer.tick(nowNanos, wallMillis);
    if (!catchUps.isEmpty()) {
      advanceCatchUp(nowNanos, wallMillis);
    }
    if (placement != null && !placement.config().joint() && nowNanos - nextPurgeScanNanos >= 0) {
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
    answered.expire(nowNanos);
    if (!answering.isEmpty()) {
      for (Iterator<Map.Entry<Long, Answering>> it = answering.entrySet().iterator(); it.hasNext(); ) {
        Answering s = it.next().getValue();
        if (s.owed != null && nowNanos - s.owedUntilNanos >= 0) {
          it.remove();
          route(s.requester, s.owed); // no word from the requester: it gets our reply after all
        }
      }
    }
    if (answerRounds.size() > answering.size()) {
      answerRounds.values().removeIf(op -> !answering.containsKey(op));
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
      if (CONFIG_KEY.equals(key)) {
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
      proposer.submit(opId, key, Command.purge(), nowNanos + PURGE_SCAN_NANOS, nowNanos, wallMillis);
    }
  }

  private void completed(long opId, ProposalResult result) {
    String purgedKey = purgeOps.remove(opId);
    if (purgedKey != null) {
      purgingKeys.remove(purgedKey);
      return;
    }
    CatchUp cu = identityOps.remove(opId);
    if (cu != null) {
      onIdentityDone(cu, opId, result);
      return;
    }
    NodeId requester = coordinating.remove(opId);
    if (requester == null) {
      effects.complete(opId, result);
      return;
    }
    ClientReply reply = toReply(opId, result);
    answered.put(opId, reply, lastNowNanos);
    Answering s = answering.get(opId);
    if (s != null && s.taken) {
      answering.remove(opId); // the requester answered its client on taking our accept
      return;
    }
    if (s != null && s.waiting > 0) {
      // It may take an accept still on its way and answer then; wait for its reply, a while.
      s.owed = reply;
      s.owedUntilNanos = lastNowNanos + replication.roundTimeoutNanos();
      return;
    }
    answering.remove(opId);
    route(requester, reply);
  }

  // ---- catch-up -----------------------------------------------------------------------------

  /** Serves a chunk of this node's state of a partition to a new replica. */
  private void onSnapshotRequest(SnapshotRequest req) {
    if (!self.equals(req.target()) || placement == null) {
      return;
    }
    if (req.epoch() != epoch) {
      route(req.source(), new SnapshotChunk(self, req.source(), req.epoch(), req.partition(), req.offset(),
          req.offset(), req.epoch() > epoch ? SnapshotChunk.Status.BEHIND : SnapshotChunk.Status.STALE,
          List.of(), List.of(), false));
      return;
    }
    if (snapshotIndex == null) {
      // Built once per epoch, after this node installed it: from now on it refuses writes of older
      // epochs, so every value chosen before the change is in here or arrives under joint quorums.
      snapshotIndex = new java.util.HashMap<>();
      for (String k : acceptor.keys()) {
        if (!CONFIG_KEY.equals(k)) {
          snapshotIndex.computeIfAbsent(partitioner.partitionOf(k), x -> new ArrayList<>()).add(k);
        }
      }
    }
    List<String> keys = snapshotIndex.getOrDefault(req.partition(), List.of());
    int from = Math.max(0, Math.min(req.offset(), keys.size()));
    int max = Math.max(1, Math.min(req.maxEntries(), CHUNK_ENTRIES));
    List<SnapshotChunk.Entry> entries = new ArrayList<>();
    int bytes = 0;
    int i = from;
    for (; i < keys.size() && i - from < max && bytes < CHUNK_BYTES; i++) {
      SnapshotChunk.Entry e = acceptor.entry(keys.get(i));
      if (e != null) {
        entries.add(e);
        bytes += keys.get(i).length() + (e.cell().value() == null ? 0 : e.cell().value().length);
      }
    }
    // The offset counts index positions, so that keys purged meanwhile do not shift later chunks.
    route(req.source(), new SnapshotChunk(self, req.source(), epoch, req.partition(), req.offset(), i,
        SnapshotChunk.Status.OK, entries, from == 0 ? acceptor.floors() : List.of(), i >= keys.size()));
  }

  private void advanceCatchUp(long nowNanos, long wallMillis) {
    int active = 0;
    for (CatchUp cu : new ArrayList<>(catchUps.values())) {
      if (active >= CATCH_UP_PARALLELISM) {
        break;
      }
      active++;
      if (!cu.started) {
        cu.started = true;
        catchUpChanged = true;
      }
      // Stream from just enough old replicas (a majority is needed, not all of them): engage the
      // first live ones, and another one when an engaged one goes down.
      int engaged = 0;
      for (NodeId src : cu.sources) {
        if (cu.complete.contains(src)) {
          engaged++;
        } else if (!down.contains(src) && cu.waitingUntil.containsKey(src)
            && cu.misses.getOrDefault(src, 0) < STALL_RETRIES) {
          engaged++; // answering, or not silent for long: it counts
        }
      }
      for (NodeId src : cu.sources) {
        if (cu.complete.contains(src) || down.contains(src)) {
          continue;
        }
        Long until = cu.waitingUntil.get(src);
        if (until == null) {
          if (engaged >= cu.needed) {
            continue;
          }
          engaged++;
          requestChunk(cu, src, nowNanos);
        } else if (nowNanos - until >= 0) {
          cu.misses.merge(src, 1, Integer::sum);
          requestChunk(cu, src, nowNanos); // no answer in time: ask again from the same offset
        }
      }
      for (String key : cu.identity) {
        if (cu.identityRunning.add(key)) {
          long opId = nextIdentityOpId--;
          identityOps.put(opId, cu);
          identityKeys.put(opId, key);
          proposer.submit(opId, key, Command.get(), nowNanos + CHUNK_RETRY_NANOS * 3, nowNanos, wallMillis);
        }
      }
      finishIfDone(cu);
    }
  }

  private void requestChunk(CatchUp cu, NodeId src, long nowNanos) {
    cu.waitingUntil.put(src, nowNanos + CHUNK_RETRY_NANOS);
    route(src, new SnapshotRequest(self, src, epoch, cu.partition, cu.offsets.get(src), CHUNK_ENTRIES));
  }

  private void onSnapshotChunk(SnapshotChunk c, long nowNanos) {
    if (!self.equals(c.target()) || c.epoch() != epoch) {
      return;
    }
    CatchUp cu = catchUps.get(c.partition());
    if (cu == null || !cu.offsets.containsKey(c.source()) || cu.complete.contains(c.source())) {
      return;
    }
    switch (c.status()) {
      case BEHIND -> {
        configGossip.accept(c.source());
        cu.waitingUntil.put(c.source(), nowNanos + BEHIND_RETRY_NANOS);
        return;
      }
      case STALE -> {
        return; // a newer configuration is out there; it reaches us and replaces this catch-up
      }
      default -> { }
    }
    cu.misses.remove(c.source());
    if (c.offset() != cu.offsets.get(c.source()) || c.nextOffset() < c.offset()) {
      return; // a duplicate of a chunk already installed, or a late answer to a retried request
    }
    if (c.offset() == 0) {
      acceptor.mergeFloors(c.floors());
    }
    for (SnapshotChunk.Entry e : c.entries()) {
      if (!acceptor.install(e)) {
        cu.identity.add(e.key());
      }
      keysReceived++;
      bytesReceived += e.cell().value() == null ? 0 : e.cell().value().length;
    }
    cu.offsets.put(c.source(), c.nextOffset());
    if (c.last()) {
      cu.complete.add(c.source());
      cu.waitingUntil.remove(c.source());
      catchUpChanged = true;
    } else {
      requestChunk(cu, c.source(), nowNanos); // one chunk in flight per source: flow control
    }
    finishIfDone(cu);
  }

  private void onIdentityDone(CatchUp cu, long opId, ProposalResult result) {
    String key = identityKeys.remove(opId);
    if (key == null) {
      return;
    }
    cu.identityRunning.remove(key);
    if (result instanceof ProposalResult.Done) {
      cu.identity.remove(key); // a quorum of the joint configuration holds the key's value now
      finishIfDone(cu);
    }
  }

  private void finishIfDone(CatchUp cu) {
    if (cu.done() && catchUps.get(cu.partition) == cu) {
      catchUps.remove(cu.partition);
      caughtUp.add(cu.partition);
      catchUpChanged = true;
    }
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
