package io.kvstore.internal.node;

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
import io.kvstore.internal.replication.ProposalResult;
import io.kvstore.internal.replication.Proposer;
import io.kvstore.internal.replication.ReplicaCore;
import io.kvstore.internal.replication.ReplicationConfig;
import io.kvstore.internal.runtime.Periodic;
import io.kvstore.internal.runtime.ThreadEventLoop;
import io.kvstore.spi.Cancellable;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.EventLoop;
import io.kvstore.spi.Message;
import io.kvstore.spi.message.ConfigAnnounce;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replicated node: SWIM membership on its own loop, and the data plane ({@link ReplicaCore}:
 * acceptor, proposer, placement, forwarding) confined to one replica loop. Both share one
 * transport. The public API is thread-safe: every command is handed to the replica loop and
 * answered through a future, completed on that loop.
 *
 * <p>Forming the cluster: with {@code bootstrapExpect} N above 1, once N members are alive the
 * lowest of them writes the first configuration (epoch 1, exactly those members) into the
 * configuration register — a CASPaxos register kept by those members, written by compare-and-set
 * on "absent", so two proposers can never install two different first configurations — and
 * announces it. Nodes that find a formed cluster install its configuration from announcements. A
 * node that is not in the configuration (a new process, since restarts have amnesia) serves
 * requests as a proxy but never votes.
 */
public final class ClusterNode extends AbstractNodeEngine {
  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
  /** The key of the configuration register; user keys may not start with U+0000. */
  static final String CONFIG_KEY = "\u0000kvstore/config";
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long ANNOUNCE_NANOS = TimeUnit.SECONDS.toNanos(1);

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

  // Confined to the replica loop.
  private ReplicaCore core;
  private SplittableRandom random;
  private final Map<Long, Pending<?>> pending = new HashMap<>();
  private boolean proposingConfig;
  private long nextAnnounceNanos;

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
    EventLoop l = new ThreadEventLoop("kvstore-" + self.name() + "-replica");
    loop = l;
    long seed = config.random().nextLong();
    CompletableFuture<Void> coreReady = new CompletableFuture<>();
    l.execute(() -> {
      random = new SplittableRandom(seed);
      core = new ReplicaCore(self, ReplicationConfig.defaults(), random.split(), new Effects());
      coreReady.complete(null);
    });
    coreReady.join();
    EventLoop ml = new ThreadEventLoop("kvstore-" + self.name() + "-membership");
    membershipLoop = ml;
    MembershipService service = new MembershipService(config.membership(), self, config.metadata(),
        new DemuxTransport(config.transport(), this::onData), ml, config.clock(),
        new SplittableRandom(config.random().nextLong()), config.listenerExecutor(), SeedResolver.dns());
    service.addListener(this::onMembershipEvent);
    membership = service;
    service.start(config.clusterAddress(), config.seeds()).join();
    refreshAddresses();
    if (config.seeds().isEmpty() && config.bootstrapExpect() <= 1) {
      ClusterConfig alone = new ClusterConfig(1, List.of(self), config.replicationFactor(), config.partitions());
      l.execute(() -> install(alone, "bootstrapped alone"));
    } else {
      log.info("node {} waiting for {}: {} member(s) expected", self,
          config.bootstrapExpect() > 1 ? "the cluster to form" : "the cluster's configuration",
          config.bootstrapExpect());
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
    if (!state.compareAndSet(s, NodeState.LEAVING)) {
      close();
      return;
    }
    // Finish the operations already accepted (bounded), then leave and stop.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    MembershipService service = membership;
    if (service != null && !service.leave(TimeUnit.SECONDS.toNanos(2))) {
      log.warn("node {}: the leave announcement may not have reached everyone", self);
    }
    stopThreads();
    state.set(NodeState.CLOSED);
    log.info("node {} closed", self);
  }

  private void stopThreads() {
    Cancellable t = tickTask;
    if (t != null) {
      t.cancel();
    }
    MembershipService service = membership;
    if (service != null) {
      service.close();
    } else {
      config.transport().close();
    }
    EventLoop l = loop;
    if (l != null) {
      l.execute(() -> {
        for (Pending<?> p : pending.values()) {
          p.complete(new ProposalResult.Unknown("the store closed before the operation finished"));
        }
        pending.clear();
      });
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
  public Optional<io.kvstore.ClusterView> cluster() {
    ClusterConfig c = installed;
    if (c == null) {
      return Optional.empty();
    }
    io.kvstore.internal.partition.Placement placement = new io.kvstore.internal.partition.Placement(c);
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
    return Optional.of(new io.kvstore.ClusterView(c.epoch(), c.members(), c.effectiveReplicas(),
        c.partitions(), replicas, primaries, c.members().contains(self)));
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
      if (event.type() == MembershipEvent.Type.JOINED && installed != null && !m.id().equals(self)) {
        announceTo(m.id());
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

  private void onData(Endpoint from, Message m) {
    runOnLoop(() -> {
      long now = now();
      if (m instanceof ConfigAnnounce a) {
        install(new ClusterConfig(a.epoch(), a.members(), a.replicationFactor(), a.partitions()),
            "announced by " + a.source());
        return;
      }
      core.onMessage(m, now, wall(now));
    });
  }

  private final class Effects implements Proposer.Effects {
    @Override
    public void send(NodeId to, Message message) {
      if (to.equals(self)) {
        runOnLoop(() -> {
          long now = now();
          core.onMessage(message, now, wall(now));
        });
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

    @Override
    public void complete(long opId, ProposalResult result) {
      Pending<?> p = pending.remove(opId);
      if (p != null) {
        inFlight.decrementAndGet();
        // Completed in a task of its own: callbacks may start new operations, and the core must
        // never be re-entered from inside one of its own steps.
        runOnLoop(() -> p.complete(result));
      }
    }
  }

  private void tick() {
    long now = now();
    core.tick(now, wall(now));
    if (installed == null) {
      maybeBootstrap(now);
    } else if (now - nextAnnounceNanos >= 0) {
      nextAnnounceNanos = now + ANNOUNCE_NANOS;
      for (Member m : members()) {
        if (m.status() == MemberStatus.ALIVE && !m.id().equals(self)) {
          announceTo(m.id());
        }
      }
    }
  }

  private void announceTo(NodeId to) {
    ClusterConfig c = installed;
    new Effects().send(to, new ConfigAnnounce(self, c.epoch(), c.members(), c.replicationFactor(), c.partitions()));
  }

  private void install(ClusterConfig c, String how) {
    ClusterConfig current = installed;
    if (current != null && current.epoch() >= c.epoch()) {
      return;
    }
    core.configure(c);
    installed = c;
    nextAnnounceNanos = 0;
    boolean voter = c.members().contains(self);
    log.info("node {} installed cluster configuration epoch {} ({}): members {}, {} replicas per partition, {} partitions{}",
        self, c.epoch(), how, c.members(), c.effectiveReplicas(), c.partitions(),
        voter ? "" : "; this process is not a member (a restarted node has a new identity) and serves as a proxy only");
  }

  /** With bootstrapExpect N: once N members are alive, the lowest proposes the first configuration. */
  private void maybeBootstrap(long now) {
    if (proposingConfig || config.bootstrapExpect() <= 1) {
      return;
    }
    List<NodeId> alive = new ArrayList<>();
    for (Member m : members()) {
      if (m.status() == MemberStatus.ALIVE) {
        alive.add(m.id());
      }
    }
    alive.sort(null);
    if (alive.size() < config.bootstrapExpect() || !alive.get(0).equals(self)) {
      return;
    }
    List<NodeId> chosen = List.copyOf(alive.subList(0, config.bootstrapExpect()));
    ClusterConfig proposal = new ClusterConfig(1, chosen, config.replicationFactor(), config.partitions());
    proposingConfig = true;
    long deadline = now + TimeUnit.SECONDS.toNanos(3);
    submitInternal(Command.compareAndSet(0, ConfigCodec.encode(proposal), 0), chosen, deadline, now)
        .whenComplete((o, e) -> {
          if (e == null && o.applied()) {
            install(proposal, "formed by this node");
            proposingConfig = false;
          } else if (e == null) {
            readConfig(chosen);
          } else {
            proposingConfig = false; // retry on a later tick
          }
        });
  }

  /** Runs a command on the configuration register kept by {@code replicas}. */
  private CompletableFuture<Outcome> submitInternal(
      Command command, List<NodeId> replicas, long deadlineNanos, long now) {
    long op = random.nextLong();
    CompletableFuture<Outcome> f = new CompletableFuture<>();
    pending.put(op, new Pending<>(f, o -> o));
    inFlight.incrementAndGet();
    core.submitTo(op, CONFIG_KEY, command, replicas, deadlineNanos, now, wall(now));
    return f;
  }

  /** Another configuration was written first: read it from the register. */
  private void readConfig(List<NodeId> replicas) {
    long now = now();
    submitInternal(Command.get(), replicas, now + TimeUnit.SECONDS.toNanos(3), now)
        .whenComplete((o, e) -> {
          if (e == null && o.applied()) {
            install(ConfigCodec.decode(o.value()), "read from the configuration register");
          }
          proposingConfig = false;
        });
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
