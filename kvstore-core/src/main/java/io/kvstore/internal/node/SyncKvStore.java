package io.kvstore.internal.node;

import io.kvstore.AsyncKvStore;
import io.kvstore.Codec;
import io.kvstore.KvException;
import io.kvstore.KvStore;
import io.kvstore.Member;
import io.kvstore.MembershipListener;
import io.kvstore.NodeId;
import io.kvstore.NodeState;
import io.kvstore.TypedKvStore;
import io.kvstore.Versioned;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The public {@link KvStore} over a {@link NodeEngine}: the blocking face waits on the engine's
 * futures and rethrows their {@link KvException}s unwrapped; {@link #async()} is the engine itself
 * behind the {@link AsyncKvStore} interface.
 */
public final class SyncKvStore implements KvStore {
  private final NodeEngine engine;
  private final AsyncView async = new AsyncView();

  /** Wraps an engine. */
  public SyncKvStore(NodeEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** The engine behind this store (for adapters inside this library). */
  public NodeEngine engine() {
    return engine;
  }

  static long ttlNanos(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("ttl must not be negative: " + ttl);
    }
    return ttl.isZero() ? 0 : Math.max(1, saturatedNanos(ttl));
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  /** Waits for a future and unwraps its failure. */
  static <T> T await(CompletableFuture<T> future) {
    if (io.kvstore.internal.runtime.ThreadEventLoop.onLoopThread()) {
      throw new IllegalStateException(
          "blocking store call on a store thread (inside a callback of the async API) would"
              + " deadlock; use store.async() there");
    }
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvException("interrupted while waiting; the outcome is unknown", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new KvException(cause.toString(), cause);
    }
  }

  @Override
  public KvStore start() {
    engine.start();
    return this;
  }

  @Override
  public NodeId nodeId() {
    return engine.nodeId();
  }

  @Override
  public NodeState state() {
    return engine.state();
  }

  @Override
  public AsyncKvStore async() {
    return async;
  }

  @Override
  public Optional<Versioned<byte[]>> get(String key) {
    return await(engine.get(key));
  }

  @Override
  public long put(String key, byte[] value) {
    return await(engine.put(key, value, 0));
  }

  @Override
  public long put(String key, byte[] value, Duration ttl) {
    return await(async.put(key, value, ttl));
  }

  @Override
  public boolean delete(String key) {
    return await(engine.delete(key));
  }

  @Override
  public boolean compareAndSet(String key, long expectedVersion, byte[] newValue) {
    return await(engine.compareAndSet(key, expectedVersion, newValue));
  }

  @Override
  public long replace(String key, long expectedVersion, byte[] newValue) {
    return await(engine.replace(key, expectedVersion, newValue, 0));
  }

  @Override
  public boolean putIfAbsent(String key, byte[] value) {
    return await(engine.putIfAbsent(key, value, 0));
  }

  @Override
  public boolean putIfAbsent(String key, byte[] value, Duration ttl) {
    return await(async.putIfAbsent(key, value, ttl));
  }

  @Override
  public <T> TypedKvStore<T> typed(Codec<T> codec) {
    return new TypedView<>(this, codec);
  }

  @Override
  public Optional<io.kvstore.ClusterView> cluster() {
    return engine.cluster();
  }

  @Override
  public java.util.concurrent.CompletableFuture<Long> removeMember(String member) {
    return engine.removeMember(member);
  }

  @Override
  public java.util.concurrent.CompletableFuture<Long> forceRecovery(
      java.util.Collection<String> survivors) {
    java.util.Objects.requireNonNull(survivors, "survivors");
    for (String s : survivors) {
      java.util.Objects.requireNonNull(s, "survivor");
    }
    return engine.forceRecovery(survivors);
  }

  @Override
  public List<Member> members() {
    return engine.members();
  }

  @Override
  public void addMembershipListener(MembershipListener listener) {
    engine.addMembershipListener(listener);
  }

  @Override
  public void removeMembershipListener(MembershipListener listener) {
    engine.removeMembershipListener(listener);
  }

  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return "KvStore{" + engine.nodeId() + ", " + engine.state() + "}";
  }

  private final class AsyncView implements AsyncKvStore {
    @Override
    public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
      return engine.get(key);
    }

    @Override
    public CompletableFuture<Long> put(String key, byte[] value) {
      return engine.put(key, value, 0);
    }

    @Override
    public CompletableFuture<Long> put(String key, byte[] value, Duration ttl) {
      long nanos;
      try {
        nanos = ttlNanos(ttl);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      return engine.put(key, value, nanos);
    }

    @Override
    public CompletableFuture<Boolean> delete(String key) {
      return engine.delete(key);
    }

    @Override
    public CompletableFuture<Boolean> compareAndSet(
        String key, long expectedVersion, byte[] newValue) {
      if (expectedVersion < 0) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("expectedVersion must not be negative"));
      }
      return engine.compareAndSet(key, expectedVersion, newValue);
    }

    @Override
    public CompletableFuture<Long> replace(String key, long expectedVersion, byte[] newValue) {
      if (expectedVersion < 0) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("expectedVersion must not be negative"));
      }
      return engine.replace(key, expectedVersion, newValue, 0);
    }

    @Override
    public CompletableFuture<Boolean> putIfAbsent(String key, byte[] value) {
      return engine.putIfAbsent(key, value, 0);
    }

    @Override
    public CompletableFuture<Boolean> putIfAbsent(String key, byte[] value, Duration ttl) {
      long nanos;
      try {
        nanos = ttlNanos(ttl);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      return engine.putIfAbsent(key, value, nanos);
    }

    @Override
    public KvStore sync() {
      return SyncKvStore.this;
    }
  }
}
