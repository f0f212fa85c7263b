package io.kvstore.internal.node;

import io.kvstore.Member;
import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.NodeState;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.Partitioner;
import io.kvstore.internal.runtime.Periodic;
import io.kvstore.internal.runtime.ThreadEventLoop;
import io.kvstore.internal.storage.PartitionStore;
import io.kvstore.spi.Cancellable;
import io.kvstore.spi.EventLoop;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node store: partitions spread over a few event loops, each partition touched only by its
 * loop, so operations take no locks. The public API is thread-safe because every command is handed
 * to the owning loop and answered through a future.
 */
public final class LocalNode extends AbstractNodeEngine {
  private static final Logger log = LoggerFactory.getLogger(LocalNode.class);
  private static final long EXPIRY_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final NodeConfig config;
  private final Partitioner partitioner;
  private final PartitionStore[] partitions;
  private final AtomicReference<NodeState> state = new AtomicReference<>(NodeState.NEW);
  private volatile EventLoop[] loops;
  private volatile Cancellable[] sweeps;

  /** Creates a node; {@link #start()} starts its threads. */
  public LocalNode(NodeConfig config) {
    super(config);
    this.config = config;
    this.partitioner = new Partitioner(config.partitions());
    this.partitions = new PartitionStore[config.partitions()];
    for (int i = 0; i < partitions.length; i++) {
      partitions[i] = new PartitionStore();
    }
  }

  @Override
  public void start() {
    if (state.get() == NodeState.RUNNING) {
      return;
    }
    if (!state.compareAndSet(NodeState.NEW, NodeState.STARTING)) {
      throw new IllegalStateException("cannot start a store that is " + state.get());
    }
    EventLoop[] ls = new EventLoop[config.eventLoops()];
    Cancellable[] ss = new Cancellable[ls.length];
    for (int i = 0; i < ls.length; i++) {
      ls[i] = new ThreadEventLoop("kvstore-" + config.nodeId().name() + "-loop-" + i);
    }
    loops = ls;
    for (int i = 0; i < ls.length; i++) {
      int loopIndex = i;
      ss[i] = Periodic.every(ls[i], EXPIRY_SWEEP_NANOS, () -> sweepExpired(loopIndex));
    }
    sweeps = ss;
    state.set(NodeState.RUNNING);
    log.info(
        "node {} started: {}, {} partitions on {} event loops",
        config.nodeId(),
        "single-node",
        partitions.length,
        ls.length);
  }

  private void sweepExpired(int loopIndex) {
    long now = config.clock().nanoTime();
    for (int p = loopIndex; p < partitions.length; p += loops.length) {
      partitions[p].expire(now);
    }
  }

  @Override
  public void close() {
    NodeState s = state.get();
    if (s == NodeState.CLOSED || s == NodeState.LEAVING) {
      return;
    }
    if (!state.compareAndSet(s, NodeState.LEAVING)) {
      close();
      return;
    }
    EventLoop[] ls = loops;
    if (ls != null) {
      for (Cancellable c : sweeps) {
        c.cancel();
      }
      long deadline = TimeUnit.SECONDS.toNanos(5);
      for (EventLoop l : ls) {
        if (!l.shutdown(deadline)) {
          log.warn("node {}: an event loop did not finish in time", config.nodeId());
        }
      }
    }
    state.set(NodeState.CLOSED);
    log.info("node {} closed", config.nodeId());
  }

  @Override
  public NodeId nodeId() {
    return config.nodeId();
  }

  @Override
  public NodeState state() {
    return state.get();
  }

  @Override
  public Optional<io.kvstore.ClusterView> cluster() {
    Map<NodeId, Integer> all = Map.of(config.nodeId(), partitions.length);
    boolean running = state.get() == NodeState.RUNNING;
    return Optional.of(new io.kvstore.ClusterView(1, List.of(config.nodeId()), List.of(), 1,
        partitions.length, all, all, true, running, false, List.of()));
  }

  @Override
  public java.util.concurrent.CompletableFuture<Long> removeMember(String member) {
    NodeId self = config.nodeId();
    String why = member.equals(self.name()) || member.equals(self.toString())
        ? "a single-node store cannot remove its only member"
        : "no member named " + member;
    return java.util.concurrent.CompletableFuture.failedFuture(
        member.equals(self.name()) || member.equals(self.toString())
            ? new IllegalStateException(why) : new IllegalArgumentException(why));
  }

  @Override
  public java.util.concurrent.CompletableFuture<Long> forceRecovery(
      java.util.Collection<String> survivors) {
    return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(
        "recovery is not needed: a single-node store is its own majority"));
  }

  @Override
  public List<Member> members() {
    MemberStatus status =
        state.get() == NodeState.RUNNING || state.get() == NodeState.STARTING
            ? MemberStatus.ALIVE
            : MemberStatus.LEFT;
    return List.of(new Member(config.nodeId(), "local", status, 0, Map.of()));
  }


  @Override
  <T> void dispatch(
      String key, Command command, CompletableFuture<T> future, Function<Outcome, T> answer) {
    int p = partitioner.partitionOf(key);
    PartitionStore store = partitions[p];
    loops[p % loops.length].execute(
        () -> {
          try {
            Outcome o = store.execute(key, command, config.clock().nanoTime());
            future.complete(answer.apply(o));
          } catch (Throwable t) {
            future.completeExceptionally(t);
          }
        });
  }
}
