package io.kvstore.sim.replication;

import io.kvstore.NodeId;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.partition.ClusterConfig;
import io.kvstore.internal.replication.ProposalResult;
import io.kvstore.internal.replication.Proposer;
import io.kvstore.internal.replication.Reconfigurator;
import io.kvstore.internal.replication.ReplicaCore;
import io.kvstore.internal.replication.ReplicationConfig;
import io.kvstore.sim.NodeContext;
import io.kvstore.sim.SimKv;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One incarnation of an elastic node in the simulator: the production {@link ReplicaCore} and
 * {@link Reconfigurator} on a node's simulated seams, with membership replaced by an oracle. The
 * configuration is formed, changed and caught up by the production code; nothing is installed from
 * outside.
 */
final class SimElasticNode {
  static final long TICK_NANOS = 10_000_000L;
  static final long CONFIG_TICK_NANOS = 100_000_000L;
  static final long WALL_EPOCH_MILLIS = 1_700_000_000_000L;

  private final NodeContext ctx;
  private final NodeId self;
  private final ReplicaCore core;
  private final Reconfigurator reconfigurator;
  private final Map<String, Endpoint> endpoints;
  private final Map<Long, CompletableFuture<ProposalResult>> pending = new HashMap<>();
  private final long opDeadlineNanos;
  private final Function<NodeId, Reconfigurator.View> oracle;
  private long nextOp;
  private long nextConfigTick;
  private boolean leaving;
  private boolean handedOff;

  SimElasticNode(
      NodeContext ctx,
      Reconfigurator.Settings settings,
      boolean alone,
      Map<String, Endpoint> endpoints,
      long opDeadlineNanos,
      Function<NodeId, Reconfigurator.View> oracle,
      BiConsumer<NodeId, ClusterConfig> installs,
      ReplicationConfig replication) {
    this.ctx = ctx;
    this.self = new NodeId(ctx.name(), ctx.bootId());
    this.endpoints = endpoints;
    this.opDeadlineNanos = opDeadlineNanos;
    this.oracle = oracle;
    Reconfigurator[] r = new Reconfigurator[1];
    this.core = new ReplicaCore(self, replication, ctx.random().split(),
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
            } else {
              ctx.eventLoop().execute(() -> r[0].onComplete(opId, result));
            }
          }
        });
    this.reconfigurator = new Reconfigurator(self, core, new Reconfigurator.Host() {
      @Override
      public void send(NodeId to, Message message) {
        route(to, message);
      }

      @Override
      public void installed(ClusterConfig config, String how) {
        installs.accept(self, config);
      }
    }, settings, ctx.random().split());
    r[0] = reconfigurator;
    ctx.transport().start(ctx.endpoint(), (from, m) -> deliver(m));
    if (alone) {
      reconfigurator.bootstrapAlone(now(), wallMillis());
    }
    ctx.eventLoop().schedule(TICK_NANOS, this::tick);
  }

  NodeId id() {
    return self;
  }

  ReplicaCore core() {
    return core;
  }

  ClusterConfig installed() {
    return reconfigurator.installed();
  }

  Reconfigurator reconfigurator() {
    return reconfigurator;
  }

  /** Starts a graceful leave: the node hands its partitions off; {@link #handedOff()} says when done. */
  void leave() {
    ctx.eventLoop().execute(() -> leaving = true);
  }

  boolean handedOff() {
    return handedOff;
  }

  private long now() {
    return ctx.clock().nanoTime();
  }

  private long wallMillis() {
    return WALL_EPOCH_MILLIS + now() / 1_000_000L;
  }

  private void deliver(Message m) {
    if (!reconfigurator.onMessage(m, now(), wallMillis())) {
      core.onMessage(m, now(), wallMillis());
    }
  }

  private void route(NodeId to, Message m) {
    if (to.equals(self)) {
      ctx.eventLoop().execute(() -> deliver(m));
      return;
    }
    Endpoint e = endpoints.get(to.name());
    if (e != null) {
      ctx.transport().sendDatagram(e, m);
    }
  }

  private void tick() {
    long now = now();
    Reconfigurator.View view = oracle.apply(self);
    ClusterConfig c = reconfigurator.installed();
    if (c != null) {
      for (NodeId m : c.everyone()) {
        if (!m.equals(self)) {
          core.setDown(m, !view.alive().contains(m));
        }
      }
    }
    core.tick(now, wallMillis());
    if (now - nextConfigTick >= 0) {
      nextConfigTick = now + CONFIG_TICK_NANOS;
      reconfigurator.tick(now, wallMillis(), view);
      if (leaving && !handedOff) {
        handedOff = reconfigurator.handedOff(now, wallMillis(), view);
      }
    }
    ctx.eventLoop().schedule(TICK_NANOS, this::tick);
  }

  CompletableFuture<ProposalResult> submit(String key, Command command, long deadlineNanos) {
    CompletableFuture<ProposalResult> f = new CompletableFuture<>();
    ctx.eventLoop().execute(() -> {
      long opId = (ctx.bootId() << 20) ^ (++nextOp);
      pending.put(opId, f);
      long now = now();
      core.submit(opId, key, command, now + deadlineNanos, now, wallMillis());
    });
    return f;
  }

  /** Asks this node to remove {@code member}; the future holds the epoch or the refusal. */
  CompletableFuture<Long> removeMember(String member) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    ctx.eventLoop().execute(() -> reconfigurator.removeMember(member, now(), wallMillis(),
        Reconfigurator.ChangeCallback.completing(f)));
    return f;
  }

  SimKv kv() {
    return SimReplicaNode.kvFace((key, command) -> submit(key, command, opDeadlineNanos));
  }
}
