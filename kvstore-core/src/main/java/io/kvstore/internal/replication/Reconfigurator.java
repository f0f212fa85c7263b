package io.kvstore.internal.replication;

import io.kvstore.NodeId;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.partition.ConfigCodec;
import io.kvstore.internal.partition.Placement;
import io.kvstore.internal.partition.ReplicaSet;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.CatchUpStatus;
import io.kvstore.spi.message.ConfigAnnounce;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The cluster configuration of one node, I/O-free: forming the cluster, learning configurations
 * from others, and changing the configuration as members join, leave, die or are removed.
 * <b>Thread-unsafe</b>: confined to the node's replica loop, beside its {@link ReplicaCore}.
 *
 * <p>The configuration is a CASPaxos register kept by the configuration's voters ({@link
 * ReplicaCore#configReplicas}); every change is a compare-and-set on it, so two nodes can never
 * make conflicting changes and a minority can make none. A change from members A to members B
 * goes through a joint configuration (epoch e+1: members B, previous A) in which every partition
 * whose replica set moves needs a majority of its old and of its new replicas; the new replicas
 * catch up from a majority of the old ones ({@link ReplicaCore}); once every one of them reports
 * its partitions caught up, the change completes (epoch e+2: members B alone).
 *
 * <p>One node drives changes: the lowest live member of the installed configuration. It adds
 * nodes that joined through membership, replaces a member whose name came back with a new
 * identity (a restarted process), removes members that left or stayed dead longer than the grace
 * period, and redirects a change whose new members died before they caught up. Any node can start
 * a removal an operator asks for, or its own removal before a graceful shutdown. A change that
 * would leave a partition without a live majority of its current replicas waits.
 */
public final class Reconfigurator {
  /** Where the reconfigurator's effects go. */
  public interface Host {
    /** Sends a message. */
    void send(NodeId to, Message message);

    /** A configuration was installed (already given to the core). */
    void installed(ClusterConfig config, String how);
  }

  /**
   * What membership says now.
   *
   * @param alive members alive or merely suspected, this node included
   * @param left members that announced a graceful leave
   */
  public record View(Set<NodeId> alive, Set<NodeId> left) {}

  /**
   * Tunables.
   *
   * @param bootstrapExpect with a value above 1: form the cluster once that many members are alive
   * @param replicationFactor replicas per partition of a cluster this node forms
   * @param partitions partitions of a cluster this node forms
   * @param deadGraceNanos how long a member may stay dead before it is removed
   * @param settleNanos how long a newcomer must stay alive before it is added, and how long the
   *     expected members must be alive before forming the cluster (time for an existing cluster's
   *     announcements to arrive first)
   * @param registerTimeoutNanos how long one operation on the configuration register may take
   */
  public record Settings(
      int bootstrapExpect,
      int replicationFactor,
      int partitions,
      long deadGraceNanos,
      long settleNanos,
      long registerTimeoutNanos) {}

  /** The outcome of a change asked for by an operator or a leaving node. */
  public interface ChangeCallback {
    /** The change started: the joint configuration of {@code epoch} is recorded. */
    void started(long epoch);

    /** The change was refused. */
    void failed(RuntimeException why);

    /** A callback that completes {@code future} with the epoch, or with the refusal. */
    static ChangeCallback completing(java.util.concurrent.CompletableFuture<Long> future) {
      return new ChangeCallback() {
        @Override
        public void started(long epoch) {
          future.complete(epoch);
        }

        @Override
        public void failed(RuntimeException why) {
          future.completeExceptionally(why);
        }
      };
    }
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Reconfigurator.class);
  private static final long ANNOUNCE_NANOS = 1_000_000_000L;
  private static final long STATUS_NANOS = 500_000_000L;
  private static final long GOSSIP_MIN_GAP_NANOS = 100_000_000L;
  private static final long WAIT_LOG_NANOS = 30_000_000_000L;
  private static final long HAND_OFF_PATIENCE_NANOS = 10_000_000_000L;

  private final NodeId self;
  private final ReplicaCore core;
  private final Host host;
  private final Settings settings;
  private final RandomGenerator random;
  private ClusterConfig installed;
  private View view = new View(Set.of(), Set.of());
  private final Map<NodeId, Long> notAliveSince = new HashMap<>();
  private final Map<NodeId, Long> aliveSince = new HashMap<>();
  /** Identities that were members and were removed: never added back (a restart gets a new one). */
  private final Set<NodeId> excluded = new HashSet<>();
  /** Nodes that hold a configuration of another lineage: another cluster sharing seeds. */
  private final Set<NodeId> foreign = new HashSet<>();
  /** Nodes without a configuration that said they wait to be added: never founding members. */
  private final Set<NodeId> waiting = new HashSet<>();
  private final Map<NodeId, Set<Integer>> caughtUp = new HashMap<>();
  private final Map<NodeId, Long> lastGossip = new HashMap<>();
  /** The newest epoch each node was heard announcing (of this node's lineage). */
  private final Map<NodeId, Long> heardEpoch = new HashMap<>();
  private final Map<Long, Consumer<ProposalResult>> ops =
      new LinkedHashMap<>();
  private long nextOpId = Long.MIN_VALUE / 8;
  private boolean changing;
  private boolean formAlone;
  /** Whether this node may found a new cluster (started with bootstrap-expect, or alone). */
  private boolean founder;
  private long verifiedEpoch = -1;
  private long uninvolvedSince;
  private long handOffBlockedSince = -1;
  private long formableSince = -1;
  private long nextAnnounceNanos;
  private long nextStatusNanos;
  private long nextWaitLogNanos;
  private long now;
  private long wall;
  private long changesStarted;

  /** Creates the reconfigurator of node {@code self}, working the configuration of {@code core}. */
  public Reconfigurator(NodeId self, ReplicaCore core, Host host, Settings settings, RandomGenerator random) {
    this.self = Objects.requireNonNull(self, "self");
    this.core = Objects.requireNonNull(core, "core");
    this.host = Objects.requireNonNull(host, "host");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.random = Objects.requireNonNull(random, "random");
    this.founder = settings.bootstrapExpect() > 1;
    core.founder(founder);
    core.onConfigGossip(this::gossipTo);
  }

  /** The installed configuration, or null before the cluster is formed. */
  public ClusterConfig installed() {
    return installed;
  }

  /** How many configuration changes this node started (for tests). */
  public long changesStarted() {
    return changesStarted;
  }

  /** Forms a one-node cluster (a node started without seeds) at the next tick. */
  public void bootstrapAlone(long nowNanos, long wallMillis) {
    time(nowNanos, wallMillis);
    formAlone = true;
    founder = true;
    core.founder(true);
  }

  private long newLineage() {
    long l;
    do {
      l = random.nextLong();
    } while (l == 0);
    return l;
  }

  private void time(long nowNanos, long wallMillis) {
    this.now = nowNanos;
    this.wall = wallMillis;
  }

  /** Offers the result of an operation; true if it was one of the reconfigurator's own. */
  public boolean onComplete(long opId, ProposalResult result) {
    Consumer<ProposalResult> c = ops.remove(opId);
    if (c == null) {
      return false;
    }
    c.accept(result);
    return true;
  }

  /** Whether this message is the reconfigurator's (then it was handled). */
  public boolean onMessage(Message m, long nowNanos, long wallMillis) {
    time(nowNanos, wallMillis);
    if (m instanceof ConfigAnnounce a) {
      onAnnounce(a);
      return true;
    }
    if (m instanceof CatchUpStatus s) {
      if (installed != null && s.epoch() == installed.epoch()) {
        caughtUp.put(s.source(), new HashSet<>(s.done()));
      }
      return true;
    }
    return false;
  }

  private void onAnnounce(ConfigAnnounce a) {
    if (a.isWaiting()) {
      waiting.add(a.source());
      gossipTo(a.source()); // if this node holds a configuration, the sender wants it
      return;
    }
    ClusterConfig c;
    try {
      c = new ClusterConfig(a.epoch(), a.members(), a.replicationFactor(), a.partitions(), a.lineage(),
          a.previous(), a.forced());
    } catch (IllegalArgumentException e) {
      return; // malformed: ignore
    }
    if (installed != null && c.lineage() != installed.lineage()) {
      if (foreign.add(a.source())) {
        log.warn(
            "node {} refuses {}: it belongs to another cluster formed separately (lineage {} vs ours {}); it is never added",
            self, a.source(), Long.toHexString(c.lineage()), Long.toHexString(installed.lineage()));
      }
      return;
    }
    heardEpoch.merge(a.source(), c.epoch(), Math::max);
    if (installed == null || c.epoch() > installed.epoch()) {
      install(c, "announced by " + a.source());
    } else if (c.epoch() < installed.epoch()
        || (c.epoch() == installed.epoch() && !installed.involves(a.source()) && installed.involves(self))) {
      // Behind: catch it up. Or a node this configuration left out, waiting for the members to
      // confirm before it stops: confirm.
      gossipTo(a.source());
    }
  }

  /**
   * Sends this node's configuration to {@code to}, at most every 100 ms per destination; without
   * one, a node that will not found a cluster says that it waits to be added.
   */
  public void gossipTo(NodeId to) {
    if ((installed == null && founder) || to.equals(self)) {
      return;
    }
    Long last = lastGossip.get(to);
    if (last != null && now - last < GOSSIP_MIN_GAP_NANOS) {
      return;
    }
    lastGossip.put(to, now);
    announce(to);
  }

  private void announceTo(Set<NodeId> to) {
    for (NodeId n : to) {
      if (!n.equals(self)) {
        lastGossip.put(n, now);
        announce(n);
      }
    }
  }

  private void announce(NodeId to) {
    ClusterConfig c = installed;
    if (c == null) {
      host.send(to, ConfigAnnounce.waiting(self));
      return;
    }
    host.send(to, new ConfigAnnounce(self, c.lineage(), c.epoch(), c.members(), c.previous(),
        c.replicationFactor(), c.partitions(), c.forced()));
  }

  private void install(ClusterConfig c, String how) {
    ClusterConfig before = installed;
    if (before != null) {
      for (NodeId n : before.everyone()) {
        if (!c.involves(n)) {
          excluded.add(n);
        }
      }
    }
    for (NodeId n : c.previous()) {
      if (!c.members().contains(n)) {
        excluded.add(n);
      }
    }
    installed = c;
    caughtUp.clear();
    heardEpoch.keySet().removeIf(n -> !c.involves(n) && !view.alive().contains(n));
    core.configure(c, now, wall);
    host.installed(c, how);
    // Tell everyone at once: a node that stops right after a change must not leave the others in
    // a configuration whose register needs it.
    Set<NodeId> to = new TreeSet<>(view.alive());
    to.addAll(c.everyone());
    if (before != null) {
      to.addAll(before.everyone());
    }
    announceTo(to);
    nextAnnounceNanos = now + ANNOUNCE_NANOS;
    if (!c.involves(self)) {
      uninvolvedSince = now;
    }
  }

  /** Advances timers with what membership says now. */
  public void tick(long nowNanos, long wallMillis, View v) {
    time(nowNanos, wallMillis);
    this.view = v;
    for (NodeId n : v.alive()) {
      aliveSince.putIfAbsent(n, nowNanos);
    }
    aliveSince.keySet().retainAll(v.alive());
    waiting.retainAll(v.alive());
    // Each second: the configuration to every live node and member; without one, a node that will
    // not found a cluster says it waits (members answer with the configuration, and nodes forming
    // a new cluster leave it out).
    if ((installed != null || !founder) && nowNanos - nextAnnounceNanos >= 0) {
      nextAnnounceNanos = nowNanos + ANNOUNCE_NANOS;
      Set<NodeId> to = new TreeSet<>(v.alive());
      if (installed != null) {
        to.addAll(installed.everyone());
      }
      announceTo(to);
    }
    if (installed == null) {
      maybeBootstrap();
      return;
    }
    if (installed.joint()) {
      reportCatchUp();
    }
    for (NodeId m : installed.everyone()) {
      if (v.alive().contains(m)) {
        notAliveSince.remove(m);
      } else {
        notAliveSince.putIfAbsent(m, nowNanos);
      }
    }
    notAliveSince.keySet().retainAll(installed.everyone());
    if (changing || !isDriver() || !registerReachable()) {
      return; // without a live majority of the register's voters no change can be recorded
    }
    if (installed.joint()) {
      driveJoint();
    } else {
      driveFinal();
    }
  }

  private void reportCatchUp() {
    boolean changed = core.takeCatchUpChanged();
    if (!changed && now - nextStatusNanos < 0) {
      return;
    }
    nextStatusNanos = now + STATUS_NANOS;
    List<Integer> done = core.caughtUpPartitions();
    caughtUp.put(self, new HashSet<>(done));
    if (done.isEmpty() && core.catchUpPending() == 0) {
      return; // nothing to report: this node is no new replica
    }
    CatchUpStatus s = new CatchUpStatus(self, installed.epoch(), done, core.catchUpPending());
    for (NodeId n : installed.everyone()) {
      if (!n.equals(self)) {
        host.send(n, s);
      }
    }
  }

  /** The lowest live member of the installed configuration drives changes. */
  /**
   * The lowest live member of the configuration's (new) members drives; only with none of them
   * alive does the lowest live old member. A member being removed must not complete its own
   * removal: it would install the final configuration first and stop, and the remaining members,
   * if its announcement were lost, would wait in the joint configuration for its vote.
   */
  private boolean isDriver() {
    if (!installed.involves(self)) {
      return false;
    }
    for (NodeId n : installed.members()) {
      if (n.equals(self)) {
        return true;
      }
      if (view.alive().contains(n)) {
        return false;
      }
    }
    for (NodeId n : installed.everyone()) {
      if (n.equals(self)) {
        return true;
      }
      if (view.alive().contains(n)) {
        return false;
      }
    }
    return false;
  }

  // ---- forming ------------------------------------------------------------------------------

  private void maybeBootstrap() {
    if (changing) {
      return;
    }
    List<NodeId> chosen;
    if (formAlone) {
      chosen = List.of(self);
    } else {
      if (settings.bootstrapExpect() <= 1) {
        return;
      }
      List<NodeId> alive = new ArrayList<>(view.alive());
      alive.removeIf(n -> foreign.contains(n) || waiting.contains(n));
      alive.sort(null);
      if (alive.size() < settings.bootstrapExpect() || !alive.get(0).equals(self)) {
        formableSince = -1;
        return;
      }
      if (formableSince < 0) {
        formableSince = now;
      }
      if (now - formableSince < settings.settleNanos()) {
        return; // give an existing cluster's announcements time to arrive first
      }
      chosen = List.copyOf(alive.subList(0, settings.bootstrapExpect()));
    }
    changing = true;
    probeThenForm(chosen, 0, null);
  }

  /**
   * Forming a cluster: first asks each chosen member alone whether it already holds a
   * configuration (a member of a formed cluster, restarted together with fresh nodes, must make
   * them join that cluster, even if the fresh ones are a majority of the chosen); then writes the
   * first configuration with a compare-and-set on "absent".
   */
  private void probeThenForm(List<NodeId> chosen, int index, ClusterConfig found) {
    if (found != null || installed != null) {
      changing = false;
      if (installed == null) {
        install(found, "read from an existing member");
      }
      return; // a formed cluster exists (a configuration may also have been announced meanwhile)
    }
    if (index < chosen.size()) {
      NodeId m = chosen.get(index);
      run(Command.get(), ReplicaSet.of(List.of(m)), r -> {
        Outcome o = done(r);
        if (o == null) {
          changing = false; // no answer: try again at a later tick
          return;
        }
        probeThenForm(chosen, index + 1, o.applied() ? ConfigCodec.decode(o.value()) : null);
      });
      return;
    }
    ClusterConfig first = new ClusterConfig(1, chosen, settings.replicationFactor(), settings.partitions(),
        newLineage(), List.of());
    ReplicaSet register = ReplicaSet.of(ReplicaCore.voters(chosen));
    run(Command.compareAndSet(0, ConfigCodec.encode(first), 0), register, r -> {
      changing = false;
      Outcome o = done(r);
      if (o != null && o.applied()) {
        if (installed == null) { // else a configuration was announced meanwhile: keep that one
          install(first, chosen.size() == 1 ? "formed alone" : "formed by this node");
        }
      } else if (o != null) {
        readRegister(register); // another configuration was written first
      }
    });
  }

  // ---- driving changes ----------------------------------------------------------------------

  private boolean alive(NodeId n) {
    return n.equals(self) || view.alive().contains(n);
  }

  /** A member whose name came back under a new identity: the restarted process, if any. */
  private NodeId successorOf(NodeId member) {
    for (NodeId n : view.alive()) {
      if (n.name().equals(member.name()) && n.boot() != member.boot() && !excluded.contains(n)
          && !foreign.contains(n)) {
        return n;
      }
    }
    return null;
  }

  private void driveFinal() {
    TreeSet<NodeId> desired = new TreeSet<>();
    for (NodeId m : installed.members()) {
      NodeId successor = successorOf(m);
      Long since = notAliveSince.get(m);
      if (view.left().contains(m) || foreign.contains(m)) {
        continue;
      } else if (successor != null) {
        // A new boot of a known name proves the old process is gone (restarts have amnesia): the
        // new identity replaces the old one at once, without waiting for failure detection.
        desired.add(successor);
      } else if (since != null && now - since >= settings.deadGraceNanos()) {
        continue;
      } else {
        desired.add(m);
      }
    }
    // Newcomers join a few at a time: while the change is joint, its new set must keep a majority
    // of members that are here and alive now, so that if the newcomers die (or were removed
    // identities still running, which a node that joined later cannot know), the old members
    // alone can still record a redirect. At least one joins, or a single node could never grow.
    int kept = 0;
    int liveKept = 0;
    for (NodeId m : desired) {
      if (installed.members().contains(m)) {
        kept++;
        if (alive(m)) {
          liveKept++;
        }
      }
    }
    int room = 0;
    while (ReplicationConfig.defaults().quorum(desired.size() + room + 1) <= liveKept) {
      room++;
    }
    if (room == 0 && desired.size() == kept) {
      room = 1; // no successor makes progress either
    }
    for (NodeId n : view.alive()) {
      Long since = aliveSince.get(n);
      if (room > 0 && !installed.involves(n) && !excluded.contains(n) && !foreign.contains(n)
          && since != null && now - since >= settings.settleNanos()
          && desired.stream().noneMatch(d -> d.name().equals(n.name()))) {
        desired.add(n);
        room--;
      }
    }
    if (desired.isEmpty() || desired.equals(new TreeSet<>(installed.members()))) {
      return;
    }
    startChange(List.copyOf(desired), null);
  }

  private void driveJoint() {
    // Members that died (or turned out foreign) during the change cannot catch up, and the new
    // replica sets may need them for a majority: drop them from the change first. The old sets
    // keep their majority rule until the change completes, so this is safe.
    // A member that is new in this change holds nothing yet: drop it soon after it is seen dead.
    // A member that was already there is dropped only after the grace period, like any member:
    // a passing partition must not remove it.
    List<NodeId> keep = new ArrayList<>();
    for (NodeId m : installed.members()) {
      Long since = notAliveSince.get(m);
      long patience = installed.previous().contains(m) ? settings.deadGraceNanos() : settings.settleNanos();
      boolean dead = !alive(m) && since != null && now - since >= patience;
      if (!view.left().contains(m) && !foreign.contains(m) && !dead) {
        keep.add(m);
      }
    }
    if (!keep.isEmpty() && keep.size() < installed.members().size()) {
      propose(installed.retarget(keep), null);
    } else if (catchUpComplete()) {
      propose(installed.complete(), null);
    }
  }

  /** Whether every new replica of every moving partition reported it caught up. */
  private boolean catchUpComplete() {
    Set<Integer> mine = new HashSet<>(core.caughtUpPartitions());
    for (int p = 0; p < installed.partitions(); p++) {
      for (NodeId t : core.catchUpTargets(p)) {
        Set<Integer> done = t.equals(self) ? mine : caughtUp.get(t);
        if (done == null || !done.contains(p)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Why a change to {@code next} members must wait, or null if it may start: every partition
   * whose replica set changes needs a live majority of its current replicas.
   */
  private String blockedChange(List<NodeId> next) {
    ClusterConfig target = installed.changeTo(next);
    Placement before = new Placement(installed);
    Placement after = new Placement(target);
    for (int p = 0; p < installed.partitions(); p++) {
      List<NodeId> old = before.replicas(p);
      List<NodeId> now = after.replicas(p);
      if (old.equals(now)) {
        continue;
      }
      String why = liveMajority(old, "partition " + p + " has");
      if (why == null) {
        why = liveMajority(now, "partition " + p + " would have");
      }
      if (why != null) {
        return why;
      }
    }
    return liveMajority(ReplicaCore.voters(next), "the configuration's voters would have");
  }

  /** Null if a majority of {@code set} is alive, else why not. */
  private String liveMajority(List<NodeId> set, String subject) {
    int live = 0;
    for (NodeId n : set) {
      if (alive(n)) {
        live++;
      }
    }
    return live >= ReplicationConfig.defaults().quorum(set.size())
        ? null
        : subject + " only " + live + " live replica(s) of " + set.size();
  }

  private void startChange(List<NodeId> next, ChangeCallback callback) {
    String blocked = blockedChange(next);
    if (blocked != null) {
      if (callback != null) {
        callback.failed(new IllegalStateException("the change must wait: " + blocked));
      } else if (now - nextWaitLogNanos >= 0) {
        nextWaitLogNanos = now + WAIT_LOG_NANOS;
        log.warn(
            "node {}: configuration change to {} waits: {}", self, next, blocked);
      }
      return;
    }
    propose(installed.changeTo(next), callback);
  }

  /**
   * Writes {@code next} over the installed configuration: reads the register (its version, and
   * whether it still holds the installed configuration), then compare-and-sets it.
   */
  private void propose(ClusterConfig next, ChangeCallback callback) {
    changing = true;
    ClusterConfig from = installed;
    ReplicaSet register = ReplicaCore.configReplicas(from);
    run(Command.get(), register, r -> {
      Outcome read = done(r);
      if (read == null || !read.applied()) {
        changing = false;
        fail(callback, r);
        return;
      }
      ClusterConfig current = ConfigCodec.decode(read.value());
      if (current.epoch() != from.epoch() || installed != from) {
        changing = false;
        if (current.lineage() == from.lineage() && current.epoch() > installed.epoch()) {
          install(current, "read from the configuration register");
        }
        fail(callback, new ProposalResult.Contention("the configuration changed meanwhile"));
        return;
      }
      run(Command.compareAndSet(read.version(), ConfigCodec.encode(next), 0), register, w -> {
        changing = false;
        Outcome o = done(w);
        if (o != null && o.applied()) {
          changesStarted++;
          if (installed.epoch() < next.epoch()) {
            install(next, describe(from, next));
          }
          if (callback != null) {
            callback.started(next.epoch());
          }
        } else {
          if (o != null || w instanceof ProposalResult.Unknown) {
            readRegister(register); // learn what happened: another change, or maybe this one
          }
          fail(callback, o != null ? new ProposalResult.Contention("the configuration changed meanwhile") : w);
        }
      });
    });
  }

  private static String describe(ClusterConfig from, ClusterConfig next) {
    if (!next.joint()) {
      return "completed the change from " + from.previous();
    }
    List<NodeId> added = new ArrayList<>(next.members());
    added.removeAll(from.members());
    List<NodeId> removed = new ArrayList<>(from.members());
    removed.removeAll(next.members());
    return "started a change by this node: adding " + added + ", removing " + removed;
  }

  private static void fail(ChangeCallback callback, ProposalResult r) {
    if (callback == null) {
      return;
    }
    if (r instanceof ProposalResult.Contention c) {
      callback.failed(new IllegalStateException("another configuration change came first (" + c.reason() + "); retry"));
    } else if (r instanceof ProposalResult.Unavailable u) {
      callback.failed(new QuorumUnavailableException("the configuration register is unavailable: " + u.reason()));
    } else if (r instanceof ProposalResult.Unknown u) {
      callback.failed(new io.kvstore.OutcomeUnknownException("the configuration change may or may not have started: " + u.reason()));
    } else {
      callback.failed(new QuorumUnavailableException("the configuration register could not be read"));
    }
  }

  private void readRegister(ReplicaSet register) {
    run(Command.get(), register, r -> {
      Outcome o = done(r);
      if (o != null && o.applied()) {
        ClusterConfig c = ConfigCodec.decode(o.value());
        if (installed == null || (c.lineage() == installed.lineage() && c.epoch() > installed.epoch())) {
          install(c, "read from the configuration register");
        }
      }
    });
  }

  private static Outcome done(ProposalResult r) {
    return r instanceof ProposalResult.Done d ? d.outcome() : null;
  }

  private void run(Command c, ReplicaSet replicas, Consumer<ProposalResult> then) {
    long op = nextOpId--;
    ops.put(op, then);
    core.submitTo(op, ReplicaCore.CONFIG_KEY, c, replicas, now + settings.registerTimeoutNanos(), now, wall);
  }

  /** Whether membership sees a majority of every voter set of the installed configuration alive. */
  private boolean registerReachable() {
    Set<NodeId> alive = new HashSet<>(view.alive());
    alive.add(self);
    return ReplicaCore.configReplicas(installed).isQuorum(alive, ReplicationConfig.defaults()::quorum);
  }

  // ---- operator and shutdown ------------------------------------------------------------------

  /**
   * An operator's recovery after the configuration's voters lost their majority for good: writes a
   * forced configuration ({@link ClusterConfig#forceTo}) whose members are the survivors, on the
   * survivors' voters alone, then installs it; the usual driver completes it once the partitions
   * are caught up. Refused (with {@link IllegalStateException}) while a majority of the voters is
   * alive: the usual removal handles that. Acknowledged writes held only by the dropped members
   * are lost, and a dropped member that is in fact still running must never rejoin with its state.
   *
   * @param survivors names or full ids of the members to keep; empty for this node and every
   *     member that membership sees alive. This node is always kept.
   */
  public void forceRecovery(List<String> survivors, long nowNanos, long wallMillis, ChangeCallback callback) {
    time(nowNanos, wallMillis);
    if (installed == null) {
      callback.failed(new IllegalStateException("the cluster is not formed yet"));
      return;
    }
    if (!installed.involves(self)) {
      callback.failed(new IllegalStateException("this node is not a member of configuration epoch "
          + installed.epoch()));
      return;
    }
    List<NodeId> keep;
    try {
      keep = survivors(survivors);
    } catch (IllegalArgumentException e) {
      callback.failed(e);
      return;
    }
    if (registerReachable()) {
      callback.failed(new IllegalStateException("recovery is not needed: a majority of the voters "
          + ReplicaCore.configReplicas(installed).all() + " is alive; remove members normally"));
      return;
    }
    if (changing) {
      callback.failed(new io.kvstore.ContentionException(
          "a configuration operation of this node is in progress; retry in a few seconds"));
      return;
    }
    changing = true;
    core.proposer().dropCachedBallots(); // promises of the old voters say nothing about the new set
    ClusterConfig from = installed;
    ClusterConfig forced = from.forceTo(keep);
    ReplicaSet register = ReplicaCore.configReplicas(forced);
    run(Command.get(), register, r -> {
      Outcome read = done(r);
      if (read == null) {
        changing = false;
        failRecovery(callback, r);
        return;
      }
      ClusterConfig current = read.applied() ? ConfigCodec.decode(read.value()) : null;
      if (installed != from || (current != null && current.epoch() > from.epoch())) {
        changing = false;
        if (current != null && current.lineage() == from.lineage() && current.epoch() > installed.epoch()) {
          install(current, "read from the configuration register");
        }
        callback.failed(new io.kvstore.ContentionException(
            "the configuration changed meanwhile; check it and retry if still needed"));
        return;
      }
      run(Command.compareAndSet(read.version(), ConfigCodec.encode(forced), 0), register, w -> {
        changing = false;
        Outcome o = done(w);
        if (o != null && o.applied()) {
          changesStarted++;
          List<NodeId> dropped = new ArrayList<>(from.everyone());
          dropped.removeAll(keep);
          log.error("FORCED RECOVERY by node {}: configuration epoch {} keeps only {} and drops {}; "
              + "acknowledged writes held only by the dropped members may be lost, and a dropped "
              + "member still running must be stopped and wiped, never rejoin with its data",
              self, forced.epoch(), keep, dropped);
          if (installed.epoch() < forced.epoch()) {
            install(forced, "forced by an operator's recovery on this node");
          }
          callback.started(forced.epoch());
        } else {
          if (o != null || w instanceof ProposalResult.Unknown) {
            readRegister(register);
          }
          failRecovery(callback, o != null ? new ProposalResult.Contention("the configuration changed meanwhile") : w);
        }
      });
    });
  }

  /** A recovery that lost a race is worth retrying, not refused as unneeded: contention says so. */
  private static void failRecovery(ChangeCallback callback, ProposalResult r) {
    if (r instanceof ProposalResult.Contention c) {
      callback.failed(new io.kvstore.ContentionException(
          "another configuration change came first (" + c.reason() + "); check it and retry if still needed"));
    } else {
      fail(callback, r);
    }
  }

  /** The members a recovery keeps: this node and the named ones (or every live member). */
  private List<NodeId> survivors(List<String> names) {
    TreeSet<NodeId> keep = new TreeSet<>();
    keep.add(self);
    if (names.isEmpty()) {
      for (NodeId m : installed.everyone()) {
        if (alive(m)) {
          keep.add(m);
        }
      }
      return List.copyOf(keep);
    }
    for (String name : names) {
      NodeId found = null;
      for (NodeId m : installed.everyone()) {
        if (m.name().equals(name) || m.toString().equals(name)) {
          found = m;
        }
      }
      if (found == null) {
        throw new IllegalArgumentException("no member " + name + " in configuration epoch " + installed.epoch());
      }
      if (!alive(found)) {
        throw new IllegalArgumentException("member " + name + " is not alive: it cannot be kept");
      }
      keep.add(found);
    }
    return List.copyOf(keep);
  }

  /**
   * Removes {@code member} (a name or a full id) from the configuration; the callback hears when
   * the change started or why it could not.
   */
  public void removeMember(String member, long nowNanos, long wallMillis, ChangeCallback callback) {
    time(nowNanos, wallMillis);
    if (installed == null) {
      callback.failed(new IllegalStateException("the cluster is not formed yet"));
      return;
    }
    NodeId target = null;
    for (NodeId m : installed.members()) {
      if (m.name().equals(member) || m.toString().equals(member)) {
        target = m;
      }
    }
    if (target == null) {
      callback.failed(new IllegalArgumentException("no member " + member + " in configuration epoch "
          + installed.epoch()));
      return;
    }
    if (installed.joint() || changing) {
      callback.failed(new IllegalStateException("a configuration change is in progress; retry when it completes"));
      return;
    }
    List<NodeId> next = new ArrayList<>(installed.members());
    next.remove(target);
    if (next.isEmpty()) {
      callback.failed(new IllegalStateException("cannot remove the last member"));
      return;
    }
    startChange(next, callback);
  }

  /**
   * For a graceful shutdown: whether this node may stop now without taking data with it. While it
   * is still a member of a multi-member configuration, starts (or keeps) its removal going.
   */
  public boolean handedOff(long nowNanos, long wallMillis, View v) {
    time(nowNanos, wallMillis);
    this.view = v;
    if (installed == null) {
      return true;
    }
    if (!installed.involves(self)) {
      // Make sure no newer configuration made this node a member again before saying so.
      if (verifiedEpoch == installed.epoch()) {
        return successorsKnow();
      }
      if (!changing) {
        changing = true;
        long epoch = installed.epoch();
        run(Command.get(), ReplicaCore.configReplicas(installed), r -> {
          changing = false;
          Outcome o = done(r);
          if (o != null && o.applied()) {
            ClusterConfig c = ConfigCodec.decode(o.value());
            if (c.lineage() == installed.lineage() && c.epoch() > installed.epoch()) {
              install(c, "read from the configuration register");
            } else if (installed.epoch() == epoch) {
              verifiedEpoch = epoch;
            }
          }
        });
      }
      return false;
    }
    if (installed.members().size() == 1 && installed.members().contains(self) && !installed.joint()) {
      // The last member hands its data to the nodes waiting to join, if there are any (this node
      // drives their addition); with nobody to hand it to, it stops with it.
      for (NodeId n : view.alive()) {
        if (!n.equals(self) && !excluded.contains(n) && !foreign.contains(n)) {
          return false;
        }
      }
      return true;
    }
    if (!installed.joint() && !changing && installed.members().contains(self)) {
      // Hand off to the live members: a member that is down now would make the new replica sets
      // lose their majority (it would be removed after the grace period anyway).
      List<NodeId> next = new ArrayList<>();
      for (NodeId m : installed.members()) {
        if (!m.equals(self) && alive(m)) {
          next.add(m);
        }
      }
      String blocked = next.isEmpty() ? "no other member is alive" : blockedChange(next);
      if (blocked != null) {
        // No live majority could take the partitions over now. Wait a little (a partition may
        // heal), then stop anyway: waiting for dead nodes would not help.
        if (handOffBlockedSince < 0) {
          handOffBlockedSince = now;
        }
        if (now - handOffBlockedSince < Math.min(HAND_OFF_PATIENCE_NANOS, settings.deadGraceNanos())) {
          return false;
        }
        log.warn(
            "node {} stops without handing its partitions off: {}", self, blocked);
        return true;
      }
      handOffBlockedSince = -1;
      startChange(next, null);
    }
    return false;
  }

  /**
   * Whether the members of the configuration that left this node out know it: announcements are
   * not acknowledged, and a member still in the joint configuration before it may need this node's
   * vote to read the register (two members shrinking to one). So wait until every member this
   * node sees alive, and at least one, announced the epoch back (they announce to every live node
   * each second); after the hand-off patience, stop anyway.
   */
  private boolean successorsKnow() {
    long epoch = installed.epoch();
    int heard = 0;
    boolean waiting = false;
    for (NodeId m : installed.members()) {
      if (heardEpoch.getOrDefault(m, -1L) >= epoch) {
        heard++;
      } else if (alive(m)) {
        waiting = true;
        gossipTo(m);
      }
    }
    if (heard > 0 && !waiting) {
      return true;
    }
    if (now - uninvolvedSince < HAND_OFF_PATIENCE_NANOS) {
      return false;
    }
    log.warn("node {} stops before the members of epoch {} confirmed it; if they stay in the change before it, "
        + "recover the cluster (see Operations)", self, epoch);
    return true;
  }

  /** The change in progress as this node sees it, or null. */
  public io.kvstore.ClusterView.Migration migration() {
    if (installed == null || !installed.joint()) {
      return null;
    }
    int moving = 0;
    int done = 0;
    Set<Integer> mine = new HashSet<>(core.caughtUpPartitions());
    for (int p = 0; p < installed.partitions(); p++) {
      List<NodeId> targets = core.catchUpTargets(p);
      if (!core.moving(p)) {
        continue;
      }
      moving++;
      boolean all = true;
      for (NodeId t : targets) {
        Set<Integer> d = t.equals(self) ? mine : caughtUp.get(t);
        all &= d != null && d.contains(p);
      }
      if (all) {
        done++;
      }
    }
    return new io.kvstore.ClusterView.Migration(installed.epoch(), moving, done, core.keysReceived(),
        core.bytesReceived());
  }
}
