package io.kvstore.sim.replication;

import io.kvstore.ContentionException;
import io.kvstore.NodeId;
import io.kvstore.OutcomeUnknownException;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.Versioned;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.replication.ProposalResult;
import io.kvstore.internal.replication.Proposer;
import io.kvstore.internal.replication.ReplicaCore;
import io.kvstore.internal.replication.ReplicationConfig;
import io.kvstore.sim.NodeContext;
import io.kvstore.sim.SimEventLoop;
import io.kvstore.sim.SimKv;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A thin simulation driver around one incarnation of a {@link ReplicaCore}: the production
 * replication core on a node's simulated seams (event loop, virtual clock, transport, seeded
 * random), and a {@link SimKv} face for the simulated clients.
 *
 * <p>The static configuration names every member by its first identity. A restarted host is a new
 * process with a new boot id and empty state: messages addressed to the old identity reach it (they
 * are routed by name) but its acceptor ignores them, so it is no voter; it still serves clients as
 * a proposer and forwards writes. Replication messages travel as datagrams, so they may be lost,
 * duplicated and reordered. Messages to itself are delivered back through its own loop, never
 * synchronously.
 *
 * <p>Everything runs on the node's loop: client calls hop onto it, results complete the client's
 * future from it.
 */
final class SimReplicaNode {
  /** Stands in for membership: whether {@code observer} considers {@code member} down. */
  @FunctionalInterface
  interface DownOracle {
    /** Asked by every node on every tick, for every other member of the configuration. */
    boolean isDown(NodeId observer, NodeId member, long nowNanos);

    /**
     * What the transport would tell {@code observer}: whether its stream to {@code member} is
     * broken (asked like {@link #isDown}; never, by default).
     */
    default boolean isUnreachable(NodeId observer, NodeId member, long nowNanos) {
      return false;
    }
  }

  /** How often the core's timers advance. */
  static final long TICK_NANOS = 10_000_000L;

  /** Wall-clock milliseconds at virtual time zero (values never expire in these tests). */
  static final long WALL_EPOCH_MILLIS = 1_700_000_000_000L;

  private final NodeContext ctx;
  private final NodeId self;
  private final ReplicaCore core;
  private final Transport transport;
  private final Map<String, Endpoint> endpoints;
  private final Map<Long, CompletableFuture<ProposalResult>> pending = new HashMap<>(); // lookups
  private final long opDeadlineNanos;
  private final DownOracle downOracle;
  private ClusterConfig config;
  private final Consumer<RuntimeException> invariantFailure;
  private long nextOp;

  /**
   * Boots a node.
   *
   * @param ctx the incarnation's seams
   * @param config the static cluster configuration (first identities); null until the cluster is
   *     formed, then installed with {@link #configure}
   * @param replication the core's tunables (a mutation in mutation tests)
   * @param endpoints every member's address by name
   * @param opDeadlineNanos how long the core works on one client operation
   * @param downOracle what membership would tell this node (null: never told)
   * @param invariantFailure where a broken acceptor invariant is reported
   */
  SimReplicaNode(
      NodeContext ctx,
      ClusterConfig config,
      ReplicationConfig replication,
      Map<String, Endpoint> endpoints,
      long opDeadlineNanos,
      DownOracle downOracle,
      Consumer<RuntimeException> invariantFailure) {
    this.ctx = ctx;
    this.self = new NodeId(ctx.name(), ctx.bootId());
    this.config = config;
    this.endpoints = endpoints;
    this.opDeadlineNanos = opDeadlineNanos;
    this.downOracle = downOracle;
    this.invariantFailure = invariantFailure;
    this.transport = ctx.transport();
    this.core =
        new ReplicaCore(
            self,
            replication,
            ctx.random(),
            new Proposer.Effects() {
              @Override
              public void send(NodeId to, Message message) {
                route(to, message);
              }

              @Override
              public void complete(long opId, ProposalResult result) {
                CompletableFuture<ProposalResult> f = pending.remove(opId);
                if (f != null) {
                  f.complete(result);
                }
              }
            });
    if (config != null) {
      core.configure(config);
    }
    transport.start(ctx.endpoint(), (from, m) -> core.onMessage(m, now(), wallMillis()));
    ctx.eventLoop().schedule(TICK_NANOS, this::tick);
  }

  /** Installs the static configuration (once every first identity is known). */
  void configure(ClusterConfig config) {
    this.config = config;
    core.configure(config);
  }

  /** This incarnation's identity. */
  NodeId id() {
    return self;
  }

  /** The core (for counters and invariants). */
  ReplicaCore core() {
    return core;
  }

  /** The loop of this incarnation. */
  SimEventLoop eventLoop() {
    return ctx.eventLoop();
  }

  private long now() {
    return ctx.clock().nanoTime();
  }

  private long wallMillis() {
    return WALL_EPOCH_MILLIS + now() / 1_000_000L;
  }

  private void route(NodeId to, Message m) {
    if (to.equals(self)) {
      // Never synchronously: the core must not be re-entered from its own effects.
      ctx.eventLoop().execute(() -> core.onMessage(m, now(), wallMillis()));
      return;
    }
    Endpoint e = endpoints.get(to.name());
    if (e != null) {
      transport.sendDatagram(e, m);
    }
  }

  private void tick() {
    if (downOracle != null && config != null) {
      for (NodeId m : config.members()) {
        if (!m.equals(self)) {
          core.setDown(m, downOracle.isDown(self, m, now()));
          core.setUnreachable(m, downOracle.isUnreachable(self, m, now()));
        }
      }
    }
    core.tick(now(), wallMillis());
    try {
      core.acceptor().checkInvariants();
    } catch (RuntimeException e) {
      invariantFailure.accept(e);
    }
    ctx.eventLoop().schedule(TICK_NANOS, this::tick);
  }

  /**
   * Submits a command from a client; the future completes on this node's loop with the core's
   * result. Throws {@link java.util.concurrent.RejectedExecutionException} if the node is down (the
   * operation was never submitted).
   */
  CompletableFuture<ProposalResult> submit(String key, Command command) {
    return submit(key, command, opDeadlineNanos);
  }

  /** {@link #submit(String, Command)} with its own deadline. */
  CompletableFuture<ProposalResult> submit(String key, Command command, long deadlineNanos) {
    CompletableFuture<ProposalResult> f = new CompletableFuture<>();
    ctx.eventLoop()
        .execute(
            () -> {
              long opId = (ctx.bootId() << 20) ^ (++nextOp); // unique per incarnation
              pending.put(opId, f);
              long now = now();
              core.submit(opId, key, command, now + deadlineNanos, now, wallMillis());
            });
    return f;
  }

  /** The client face: outcomes mapped as the public API maps them. */
  SimKv kv() {
    return kvFace((key, command) -> submit(key, command));
  }

  /**
   * A client face over any way of submitting commands: outcomes mapped as the public API maps
   * them.
   */
  static SimKv kvFace(
      java.util.function.BiFunction<String, Command, CompletableFuture<ProposalResult>> submit) {
    return new SimKv() {
      @Override
      public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
        return submit.apply(key, Command.get()).thenApply(r -> {
          Outcome o = done(r);
          return o.applied()
              ? Optional.of(new Versioned<>(o.value(), o.version()))
              : Optional.<Versioned<byte[]>>empty();
        });
      }

      @Override
      public CompletableFuture<Long> put(String key, byte[] value) {
        return submit.apply(key, Command.put(value, 0)).thenApply(r -> done(r).version());
      }

      @Override
      public CompletableFuture<Boolean> delete(String key) {
        return submit.apply(key, Command.delete()).thenApply(r -> done(r).applied());
      }

      @Override
      public CompletableFuture<Boolean> compareAndSet(String key, long expected, byte[] value) {
        return submit.apply(key, Command.compareAndSet(expected, value, 0)).thenApply(r -> done(r).applied());
      }

      @Override
      public CompletableFuture<Boolean> putIfAbsent(String key, byte[] value) {
        return submit.apply(key, Command.putIfAbsent(value, 0)).thenApply(r -> done(r).applied());
      }
    };
  }

  /** The outcome of a decided operation; the public exception otherwise. */
  static Outcome done(ProposalResult r) {
    if (r instanceof ProposalResult.Done d) {
      return d.outcome();
    } else if (r instanceof ProposalResult.Unavailable u) {
      throw new QuorumUnavailableException(u.reason());
    } else if (r instanceof ProposalResult.Contention c) {
      throw new ContentionException(c.reason());
    }
    throw new OutcomeUnknownException(((ProposalResult.Unknown) r).reason());
  }
}
