package io.kvstore.internal.node;

import io.kvstore.ClusterView;
import io.kvstore.ContentionException;
import io.kvstore.Member;
import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import io.kvstore.NodeState;
import io.kvstore.OutcomeUnknownException;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.internal.membership.MembershipService;
import io.kvstore.internal.membership.SeedResolver;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.partition.Placement;
import io.kvstore.internal.replication.ProposalResult;
import io.kvstore.internal.replication.Proposer;
import io.kvstore.internal.replication.Reconfigurator;
import io.kvstore.internal.replication.ReplicaCore;
import io.kvstore.internal.replication.ReplicationConfig;
import io.kvstore.internal.runtime.Periodic;
import io.kvstore.internal.runtime.ThreadEventLoop;
import io.kvstore.spi.Cancellable;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.EventLoop;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replicated node: SWIM membership on its own loop, and the data plane ({@link ReplicaCore}:
 * acceptor, proposer, placement, forwarding, catch-up) with the cluster configuration ({@link
 * Reconfigurator}) confined to one replica loop. Both share one transport. The public API is
 * thread-safe: every command is handed to the replica loop and answered through a future,
 * completed on that loop.
 *
 * <p>Forming the cluster: a node started without seeds forms a one-node cluster; with {@code
 * bootstrapExpect} N above 1, once N members are alive the lowest of them writes the first
 * configuration. Nodes that find a formed cluster install its configuration from announcements and
 * are added to it by the cluster (see {@link Reconfigurator}); a restarted process (new identity,
 * amnesia) replaces its predecessor through the same change. On a graceful close a member first
 * hands its partitions off, then leaves.
 */
public final class ClusterNode extends AbstractNodeEngine {
  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
  /** The key of the configuration register; user keys may not start with U+0000. */
  static final String CONFIG_KEY = ReplicaCore.CONFIG_KEY;
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long CONFIG_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long HANDOFF_NANOS = TimeUnit.SECONDS.toNanos(60);
  /** The most messages one inbox drain hands to the core before yielding the loop. */
  private static final int INBOX_BATCH = 256;

  private final NodeConfig config;
  private final NodeId self;
  private final AtomicReference<NodeState> state = new AtomicReference<>(NodeState.NEW);
  private final Map<NodeId, Endpoint> addresses = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final long wallOffsetMillis;
  private volatile EventLoop loop;
  private volatile EventLoop membershipLoop;
  private volatile MembershipService membership;
  private volatile Cancellable tickTask;
  private volatile ClusterConfig installed;
  private volatile ClusterView view;

  // Confined to the replica loop.
  private ReplicaCore core;
  private Reconfigurator reconfigurator;
  private SplittableRandom random;
  private final Map<Long, Pending<?>> pending = new HashMap<>();
  private long nextConfigTickNanos;
  private ClusterConfig spreadOf;
  private Map<NodeId, Integer> replicasPerMember = Map.of();
  private Map<NodeId, Integer> primariesPerMember = Map.of();

  /** Messages received (or sent to self) on their way to the replica loop; see {@link #onData}. */
  private final ConcurrentLinkedQueue<Message> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean inboxScheduled = new AtomicBoolean();
  private final Runnable drainInbox = this::drainInbox;

  private record Pending<T>(CompletableFuture<T> future, Function<Outcome, T> answer) {
    void complete(ProposalResult r) {
      if (r instanceof ProposalResult.Done d) {
        try {
          future.complete(answer.apply(d.outcome()));
        } catch (RuntimeException e) {
          future.completeExceptionally(e);
        }
      } else if (r instanceof ProposalResult.Unavailable u) {
        future.completeExceptionally(new QuorumUnavailableException(u.reason()));
      } else if (r instanceof ProposalResult.Contention c) {
        future.completeExceptionally(new ContentionException(c.reason()));
      } else {
        future.completeExceptionally(
            new OutcomeUnknownException(((ProposalResult.Unknown) r).reason()));
      }
    }
  }

  /** Creates a node; {@link #start()} binds and joins. */
  public ClusterNode(NodeConfig config) {
    super(config);
    this.config = config;
    Objects.requireNonNull(config.transport(), "a replicated node needs a transport");
    this.self = config.nodeId();
    this.wallOffsetMillis = System.currentTimeMillis() - config.clock().nanoTime() / 1_000_000;
  }

  private long now() {
    return config.clock().nanoTime();
  }

  private long wall(long nowNanos) {
    return wallOffsetMillis + nowNanos / 1_000_000;
  }

  // ---- lifecycle --------------------------------------------------------------------------

  @Override
  public void start() {
    if (state.get() == NodeState.RUNNING) {
      return;
    }
    if (!state.compareAndSet(NodeState.NEW, NodeState.STARTING)) {
      throw new IllegalStateException("cannot start a store that is " + state.get());
    }
    try {
      startUnchecked();
    } catch (RuntimeException e) {
      stopThreads();
      state.set(NodeState.CLOSED);
      throw e;
    }
    state.set(NodeState.RUNNING);
  }

  private void startUnchecked() {
    // On the transport's I/O loop when it offers one: received messages then reach the core, and
    // the core's messages reach the sockets, without crossing threads.
    EventLoop shared = config.transport().eventLoop();
    EventLoop l = shared != null ? shared : new ThreadEventLoop("kvstore-" + self.name() + "-replica");
    if (shared != null) {
      l.execute(ThreadEventLoop::adoptCurrentThread);
      shared.whenTerminated(this::onLoopTerminated);
    }
    loop = l;
    long seed = config.random().nextLong();
    // Long enough for a formed cluster's (or another lineage's) announcements to arrive first.
    long settle = Math.max(TimeUnit.MILLISECONDS.toNanos(1500), 2 * config.membership().probeIntervalNanos());
    Reconfigurator.Settings settings = new Reconfigurator.Settings(config.bootstrapExpect(),
        config.replicationFactor(), config.partitions(), config.deadMemberGraceNanos(), settle,
        TimeUnit.SECONDS.toNanos(3));
    CompletableFuture<Void> coreReady = new CompletableFuture<>();
    l.execute(() -> {
      random = new SplittableRandom(seed);
      core = new ReplicaCore(self, ReplicationConfig.defaults(), random.split(), new Effects());
      reconfigurator = new Reconfigurator(self, core, new ConfigHost(), settings, random.split());
      coreReady.complete(null);
    });
    coreReady.join();
    EventLoop ml = new ThreadEventLoop("kvstore-" + self.name() + "-membership");
    membershipLoop = ml;
    MembershipService service = new MembershipService(config.membership(), self, config.metadata(),
        new DemuxTransport(config.transport(), new DataInbound()), ml, config.clock(),
        new SplittableRandom(config.random().nextLong()), config.listenerExecutor(), SeedResolver.dns());
    service.addListener(this::onMembershipEvent);
    membership = service;
    service.start(config.clusterAddress(), config.seeds()).join();
    refreshAddresses();
    if (config.seeds().isEmpty() && config.bootstrapExpect() <= 1) {
      l.execute(() -> {
        long now = now();
        reconfigurator.bootstrapAlone(now, wall(now));
      });
    } else {
      log.info("node {} waiting for {}", self, config.bootstrapExpect() > 1
          ? "the cluster to form (" + config.bootstrapExpect() + " members expected) or an existing cluster to join"
          : "an existing cluster to add it (started with seeds only, it never founds one)");
    }
    tickTask = Periodic.every(l, TICK_NANOS, this::tick);
    log.info("node {} of cluster '{}' started at {}", self, config.clusterName(), service.localEndpoint());
  }

  @Override
  public void close() {
    NodeState s = state.get();
    if (s == NodeState.CLOSED || s == NodeState.LEAVING || s == NodeState.NEW) {
      if (s == NodeState.NEW) {
        state.compareAndSet(NodeState.NEW, NodeState.CLOSED);
      }
      return;
    }
    EventLoop l = loop;
    if (l != null && l.inLoop()) {
      // Closing waits for the loop; from the loop itself, it goes on another thread.
      Thread closer = new Thread(this::close, "kvstore-" + self.name() + "-close");
      closer.setDaemon(true);
      closer.start();
      return;
    }
    if (!state.compareAndSet(s, NodeState.LEAVING)) {
      close();
      return;
    }
    handOff();
    // Finish the operations already accepted (bounded), then leave and stop.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      sleep(5);
    }
    MembershipService service = membership;
    if (service != null && !service.leave(TimeUnit.SECONDS.toNanos(2))) {
      log.warn("node {}: the leave announcement may not have reached everyone", self);
    }
    stopThreads();
    state.set(NodeState.CLOSED);
    log.info("node {} closed", self);
  }

  /**
   * Before a member stops, the cluster moves its partitions to the others (bounded in time), so
   * that stopping it never costs a replica of anything.
   */
  private void handOff() {
    ClusterConfig c = installed;
    if (c == null || !c.involves(self) || (c.members().size() == 1 && !c.joint())) {
      return;
    }
    log.info("node {} handing its partitions off before it stops", self);
    long deadline = System.nanoTime() + HANDOFF_NANOS;
    while (System.nanoTime() < deadline) {
      CompletableFuture<Boolean> done = new CompletableFuture<>();
      Reconfigurator.View view = membershipView();
      runOnLoop(() -> {
        long now = now();
        done.complete(reconfigurator.handedOff(now, wall(now), view));
      });
      try {
        if (done.get(2, TimeUnit.SECONDS)) {
          log.info("node {} handed its partitions off", self);
          return;
        }
      } catch (Exception e) {
        break;
      }
      sleep(100);
    }
    log.warn("node {} stops before its partitions were handed off (no live majority to take them?)", self);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The transport closed its I/O loop, which runs this node's replication, while operations were in
   * flight (a store closing completes them first): they can never finish there, and some may have
   * been applied. Runs after the loop's thread ended.
   */
  private void onLoopTerminated() {
    int n = pending.size();
    if (n == 0) {
      return;
    }
    log.warn("node {}: its cluster transport closed under the running store; {} operations in flight end"
        + " with an unknown outcome", self, n);
    for (Pending<?> p : pending.values()) {
      p.complete(new ProposalResult.Unknown("the node's cluster transport closed before the operation finished"));
    }
    inFlight.addAndGet(-n);
    pending.clear();
  }

  private void stopThreads() {
    Cancellable t = tickTask;
    if (t != null) {
      t.cancel();
    }
    EventLoop l = loop;
    if (l != null) {
      // Before the transport closes: the loop may be the transport's own.
      CompletableFuture<Void> finished = new CompletableFuture<>();
      try {
        l.execute(() -> {
          for (Pending<?> p : pending.values()) {
            p.complete(new ProposalResult.Unknown("the store closed before the operation finished"));
          }
          pending.clear();
          finished.complete(null);
        });
        finished.get(2, TimeUnit.SECONDS);
      } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
        // stopped already, or stuck: the loop's shutdown below is bounded too
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    MembershipService service = membership;
    if (service != null) {
      service.close();
    } else {
      config.transport().close();
    }
    if (l != null) {
      l.shutdown(TimeUnit.SECONDS.toNanos(2));
    }
    EventLoop ml = membershipLoop;
    if (ml != null) {
      ml.shutdown(TimeUnit.SECONDS.toNanos(2));
    }
  }

  @Override
  public NodeId nodeId() {
    return self;
  }

  @Override
  public NodeState state() {
    return state.get();
  }

  @Override
  public List<Member> members() {
    MembershipService service = membership;
    return service == null ? List.of() : service.members();
  }

  /** The installed cluster configuration, or null before the cluster is formed. */
  public ClusterConfig clusterConfig() {
    return installed;
  }

  @Override
  public Optional<ClusterView> cluster() {
    return Optional.ofNullable(view);
  }

  @Override
  public CompletableFuture<Long> removeMember(String member) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    try {
      loop.execute(() -> {
        long now = now();
        reconfigurator.removeMember(member, now, wall(now), Reconfigurator.ChangeCallback.completing(f));
      });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(new io.kvstore.StoreClosedException("the store is closed"));
    }
    return f;
  }

  @Override
  public CompletableFuture<Long> forceRecovery(java.util.Collection<String> survivors) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    List<String> names = List.copyOf(survivors);
    try {
      loop.execute(() -> {
        long now = now();
        reconfigurator.forceRecovery(names, now, wall(now), Reconfigurator.ChangeCallback.completing(f));
      });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(new io.kvstore.StoreClosedException("the store is closed"));
    }
    return f;
  }

  /** Whether this node's acceptor holds a value of {@code key} (for tests). */
  CompletableFuture<Boolean> holdsLocally(String key) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    runOnLoop(() -> f.complete(core.acceptor().entry(key) != null));
    return f;
  }

  // ---- membership input -------------------------------------------------------------------

  private void onMembershipEvent(MembershipEvent event) {
    notifyListeners(event);
    Member m = event.member();
    try {
      addresses.put(m.id(), Endpoint.parse(m.address()));
    } catch (IllegalArgumentException e) {
      // not a host:port address; nothing to route to
    }
    boolean down = m.status() != MemberStatus.ALIVE;
    boolean failed = event.type() == MembershipEvent.Type.FAILED
        || event.type() == MembershipEvent.Type.LEFT;
    runOnLoop(() -> {
      if (failed) {
        core.nodeFailed(m.id());
      } else {
        core.setDown(m.id(), down);
      }
      if (event.type() == MembershipEvent.Type.JOINED) {
        reconfigurator.gossipTo(m.id());
      }
    });
  }

  private void refreshAddresses() {
    for (Member m : members()) {
      try {
        addresses.put(m.id(), Endpoint.parse(m.address()));
      } catch (IllegalArgumentException e) {
        // ignore
      }
    }
  }

  private void runOnLoop(Runnable r) {
    EventLoop l = loop;
    if (l == null) {
      return;
    }
    try {
      l.execute(r);
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  // ---- data plane -------------------------------------------------------------------------

  /**
   * Hands a received message to the replica loop. Messages wait in the inbox, and one drain task
   * per burst carries all of them to the loop: a read of many frames costs one task and at most one
   * wake-up, not one of each per message. Messages of one connection keep their order.
   */
  private void onData(Endpoint from, Message m) {
    inbox.add(m);
    scheduleInbox();
  }

  /** The data plane's side of the transport: messages, and streams that broke or came back. */
  private final class DataInbound implements Transport.Inbound {
    @Override
    public void receive(Endpoint from, Message message) {
      onData(from, message);
    }

    @Override
    public void peerUnreachable(Endpoint peer) {
      onReachability(peer, false);
    }

    @Override
    public void peerReachable(Endpoint peer) {
      onReachability(peer, true);
    }
  }

  private void onReachability(Endpoint peer, boolean reachable) {
    List<NodeId> at = new java.util.ArrayList<>();
    for (Map.Entry<NodeId, Endpoint> e : addresses.entrySet()) {
      if (e.getValue().equals(peer) && !e.getKey().equals(self)) {
        at.add(e.getKey());
      }
    }
    if (!at.isEmpty()) {
      runOnLoop(() -> {
        for (NodeId n : at) {
          core.setUnreachable(n, !reachable);
        }
      });
    }
  }

  private void scheduleInbox() {
    // The flag is cleared before the drain polls, so a message added after the drain's last poll
    // always schedules a new drain.
    if (!inboxScheduled.get() && inboxScheduled.compareAndSet(false, true)) {
      EventLoop l = loop;
      try {
        if (l != null) {
          l.execute(drainInbox);
          return;
        }
      } catch (RejectedExecutionException e) {
        // shutting down: drop what waits
      }
      inbox.clear();
      inboxScheduled.set(false);
    }
  }

  private void drainInbox() {
    inboxScheduled.set(false);
    // Bounded, so that client commands and timers interleave with a long stream of messages.
    for (int i = 0; i < INBOX_BATCH; i++) {
      Message m = inbox.poll();
      if (m == null) {
        return;
      }
      long now = now();
      long wall = wall(now);
      if (!reconfigurator.onMessage(m, now, wall)) {
        core.onMessage(m, now, wall);
      }
    }
    if (!inbox.isEmpty()) {
      scheduleInbox();
    }
  }

  private void send(NodeId to, Message message) {
    if (to.equals(self)) {
      // Never handled inside the step that sent it: the core is not re-entrant.
      onData(null, message);
      return;
    }
    Endpoint ep = addresses.get(to);
    if (ep == null) {
      refreshAddresses();
      ep = addresses.get(to);
    }
    if (ep != null) {
      config.transport().send(ep, message);
    }
  }

  private final class Effects implements Proposer.Effects {
    @Override
    public void send(NodeId to, Message message) {
      ClusterNode.this.send(to, message);
    }

    @Override
    public void complete(long opId, ProposalResult result) {
      // Completed in a task of its own: callbacks may start new operations, and the core must
      // never be re-entered from inside one of its own steps.
      Pending<?> p = pending.remove(opId);
      if (p != null) {
        inFlight.decrementAndGet();
        runOnLoop(() -> p.complete(result));
      } else {
        runOnLoop(() -> reconfigurator.onComplete(opId, result));
      }
    }
  }

  private final class ConfigHost implements Reconfigurator.Host {
    @Override
    public void send(NodeId to, Message message) {
      ClusterNode.this.send(to, message);
    }

    @Override
    public void installed(ClusterConfig c, String how) {
      ClusterConfig before = installed;
      installed = c;
      boolean member = c.members().contains(self);
      if (c.joint()) {
        log.info("node {} installed configuration epoch {} ({}): moving from {} to {}, {} partitions change replicas",
            self, c.epoch(), how, c.previous(), c.members(), core.movingPartitions());
      } else {
        log.info("node {} installed configuration epoch {} ({}): members {}, {} replicas per partition, {} partitions{}",
            self, c.epoch(), how, c.members(), c.effectiveReplicas(), c.partitions(),
            member ? "" : "; this node is not a member yet and serves as a proxy");
      }
      if (before != null && before.involves(self) && !c.involves(self) && state.get() == NodeState.RUNNING) {
        // Removed while running (by an operator, or after being unreachable longer than the grace
        // period): this identity never votes again, so it stops; a restart joins as a new member.
        log.warn("node {} was removed from the cluster configuration (epoch {}); it stops now, restart it to join again",
            self, c.epoch());
        Thread stopper = new Thread(ClusterNode.this::close, "kvstore-" + self.name() + "-removed");
        stopper.setDaemon(true);
        stopper.start();
      }
      publishView(membershipView().alive());
    }
  }

  private void tick() {
    long now = now();
    core.tick(now, wall(now));
    if (now - nextConfigTickNanos >= 0) {
      nextConfigTickNanos = now + CONFIG_TICK_NANOS;
      Reconfigurator.View view = membershipView();
      reconfigurator.tick(now, wall(now), view);
      publishView(view.alive());
    }
  }

  /** What membership says now: members alive or suspected (this node included), and those that left. */
  private Reconfigurator.View membershipView() {
    Set<NodeId> alive = new HashSet<>();
    Set<NodeId> left = new HashSet<>();
    alive.add(self);
    for (Member m : members()) {
      if (m.status() == MemberStatus.ALIVE || m.status() == MemberStatus.SUSPECT) {
        alive.add(m.id());
      } else if (m.status() == MemberStatus.LEFT) {
        left.add(m.id());
      }
    }
    return new Reconfigurator.View(alive, left);
  }

  /** Computes the public view of the configuration (on the loop) for readers on other threads. */
  private void publishView(Set<NodeId> alive) {
    ClusterConfig c = installed;
    if (c == null) {
      view = null;
      return;
    }
    Placement placement = core.placement(); // computed once per configuration, by the core
    if (spreadOf != c) {
      // Partitions and primaries per member change only with the configuration.
      Map<NodeId, Integer> replicas = new HashMap<>();
      Map<NodeId, Integer> primaries = new HashMap<>();
      for (NodeId m : c.members()) {
        replicas.put(m, 0);
        primaries.put(m, 0);
      }
      for (int p = 0; p < c.partitions(); p++) {
        List<NodeId> set = placement.replicas(p);
        for (NodeId r : set) {
          replicas.merge(r, 1, Integer::sum);
        }
        primaries.merge(set.get(0), 1, Integer::sum);
      }
      replicasPerMember = Map.copyOf(replicas);
      primariesPerMember = Map.copyOf(primaries);
      spreadOf = c;
    }
    boolean safe = !c.joint() && c.members().contains(self) && c.members().size() > 1;
    for (int p = 0; safe && p < c.partitions(); p++) {
      List<NodeId> set = placement.replicas(p);
      if (set.contains(self)) {
        int live = 0;
        for (NodeId r : set) {
          if (!r.equals(self) && alive.contains(r)) {
            live++;
          }
        }
        safe = live >= set.size() / 2 + 1;
      }
    }
    boolean ready = c.members().contains(self) && core.catchUpPending() == 0;
    ClusterView.Migration migration = reconfigurator.migration();
    view = new ClusterView(c.epoch(), c.members(), c.previous(), c.effectiveReplicas(), c.partitions(),
        replicasPerMember, primariesPerMember, c.members().contains(self), ready, safe,
        migration == null ? List.of() : List.of(migration));
  }


  // ---- client operations ------------------------------------------------------------------

  @Override
  <T> void dispatch(
      String key, Command command, CompletableFuture<T> future, Function<Outcome, T> answer) {
    inFlight.incrementAndGet();
    try {
      loop.execute(() -> {
        long now = now();
        long op = random.nextLong();
        pending.put(op, new Pending<>(future, answer));
        core.submit(op, key, command, now + config.operationTimeoutNanos(), now, wall(now));
      });
    } catch (RejectedExecutionException e) {
      inFlight.decrementAndGet();
      throw e;
    }
  }
}
