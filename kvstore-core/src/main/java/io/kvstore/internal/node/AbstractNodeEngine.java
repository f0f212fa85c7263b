package io.kvstore.internal.node;

import io.kvstore.KeyTooLargeException;
import io.kvstore.MembershipEvent;
import io.kvstore.MembershipListener;
import io.kvstore.NodeState;
import io.kvstore.StoreClosedException;
import io.kvstore.ValueTooLargeException;
import io.kvstore.VersionConflictException;
import io.kvstore.Versioned;
import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.partition.KeyHash;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The client operations every node engine offers, written once: argument checks (key length and
 * reserved keys, value size, copies), the lifecycle check, and the mapping of outcomes to the API's
 * answers. Subclasses only say how a command reaches the state that decides it.
 */
abstract class AbstractNodeEngine implements NodeEngine {
  private final NodeConfig config;
  private final CopyOnWriteArrayList<MembershipListener> listeners = new CopyOnWriteArrayList<>();

  AbstractNodeEngine(NodeConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Runs {@code command} on {@code key} and completes {@code future} with {@code answer} applied to
   * its outcome (or exceptionally). Called after every check passed.
   *
   * @throws RejectedExecutionException if the node is shutting down
   */
  abstract <T> void dispatch(
      String key, Command command, CompletableFuture<T> future, Function<Outcome, T> answer);

  @Override
  public void addMembershipListener(MembershipListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeMembershipListener(MembershipListener listener) {
    listeners.remove(listener);
  }

  /** Hands a membership event to every registered listener; a failing listener is logged. */
  void notifyListeners(MembershipEvent event) {
    for (MembershipListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(getClass()).warn("membership listener failed on {}", event, e);
      }
    }
  }

  @Override
  public CompletableFuture<Optional<Versioned<byte[]>>> get(String key) {
    return submit(
        key,
        Command::get,
        o -> o.applied() ? Optional.of(new Versioned<>(o.value().clone(), o.version())) : Optional.empty());
  }

  @Override
  public CompletableFuture<Long> put(String key, byte[] value, long ttlNanos) {
    return submit(key, () -> Command.put(copyValue(value), ttlNanos), Outcome::version);
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    return submit(key, Command::delete, Outcome::applied);
  }

  @Override
  public CompletableFuture<Long> replace(
      String key, long expectedVersion, byte[] value, long ttlNanos) {
    return submit(
        key,
        () -> Command.compareAndSet(expectedVersion, copyValue(value), ttlNanos),
        o -> {
          if (!o.applied()) {
            throw new VersionConflictException(key, expectedVersion, o.version());
          }
          return o.version();
        });
  }

  @Override
  public CompletableFuture<Boolean> compareAndSet(String key, long expectedVersion, byte[] value) {
    return submit(
        key, () -> Command.compareAndSet(expectedVersion, copyValue(value), 0), Outcome::applied);
  }

  @Override
  public CompletableFuture<Boolean> putIfAbsent(String key, byte[] value, long ttlNanos) {
    return submit(key, () -> Command.putIfAbsent(copyValue(value), ttlNanos), Outcome::applied);
  }

  private byte[] copyValue(byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length > config.maxValueBytes()) {
      throw new ValueTooLargeException(value.length, config.maxValueBytes());
    }
    return value.clone();
  }

  private void checkKey(String key) {
    Objects.requireNonNull(key, "key");
    int bytes = KeyHash.utf8Length(key);
    if (bytes == 0) {
      throw new IllegalArgumentException("key must not be empty");
    }
    if (key.charAt(0) == '\u0000') {
      throw new IllegalArgumentException("keys starting with U+0000 are reserved");
    }
    if (bytes > config.maxKeyBytes()) {
      throw new KeyTooLargeException(bytes, config.maxKeyBytes());
    }
  }

  private <T> CompletableFuture<T> submit(
      String key, Supplier<Command> commandFactory, Function<Outcome, T> answer) {
    CompletableFuture<T> future = new CompletableFuture<>();
    try {
      checkKey(key);
      Command command = commandFactory.get();
      NodeState s = state();
      if (s != NodeState.RUNNING) {
        if (s == NodeState.NEW || s == NodeState.STARTING) {
          throw new IllegalStateException("store not started");
        }
        throw new StoreClosedException("store is " + s.name().toLowerCase(Locale.ROOT));
      }
      dispatch(key, command, future, answer);
    } catch (RejectedExecutionException e) {
      future.completeExceptionally(new StoreClosedException("store is closing"));
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
    return future;
  }
}
