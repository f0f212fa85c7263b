package io.kvstore.internal.membership;

import io.kvstore.Member;
import io.kvstore.MembershipEvent;
import io.kvstore.MembershipListener;
import io.kvstore.NodeId;
import io.kvstore.internal.membership.MembershipMetrics.Counter;
import io.kvstore.spi.Cancellable;
import io.kvstore.spi.Clock;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.EventLoop;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The membership driver: runs a {@link SwimCore} on an {@link EventLoop}, feeds it the transport's
 * messages and a periodic tick, carries out its sends, and hands its events to listeners on the
 * listener executor (one at a time, in order, never on the loop). Seed names are resolved here,
 * off the loop, through a {@link SeedResolver}.
 *
 * <p>Thread-safe: every public method may be called from any thread.
 */
public final class MembershipService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MembershipService.class);

  private final MembershipConfig config;
  private final NodeId self;
  private final Map<String, String> metadata;
  private final Transport transport;
  private final EventLoop loop;
  private final Clock clock;
  private final RandomGenerator random;
  private final SeedResolver resolver;
  private final MembershipMetrics metrics = new MembershipMetrics();
  private final CopyOnWriteArrayList<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final SerialExecutor listenerQueue;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile List<Member> members = List.of();
  private volatile Endpoint localEndpoint;
  private volatile Cancellable tickTask;
  private volatile CompletableFuture<Void> leaveDrained;
  private SwimCore core; // loop-confined after start
  private List<String> seedNames = List.of();
  private List<Endpoint> resolvedSeeds = List.of();
  private long nextResolveNanos;

  /**
   * Creates a stopped service.
   *
   * @param random randomness for the core (probe order, fan-out, jitter); used on the loop only
   */
  public MembershipService(MembershipConfig config, NodeId self, Map<String, String> metadata,
      Transport transport, EventLoop loop, Clock clock, RandomGenerator random,
      Executor listenerExecutor, SeedResolver resolver) {
    this.config = Objects.requireNonNull(config, "config");
    this.self = Objects.requireNonNull(self, "self");
    this.metadata = Map.copyOf(metadata);
    this.transport = Objects.requireNonNull(transport, "transport");
    this.loop = Objects.requireNonNull(loop, "loop");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.listenerQueue = new SerialExecutor(Objects.requireNonNull(listenerExecutor, "executor"));
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /**
   * Binds the transport at {@code bind}, starts the core and contacts {@code seeds} ({@code
   * host:port}, names expanded to every address; resolved on the calling thread). The future
   * completes once the core runs on the loop; joining continues in the background (seeds are
   * retried while any is not a live member). Never blocks on the loop, so it also works on a
   * simulator's single-threaded loop.
   */
  public CompletableFuture<Void> start(Endpoint bind, List<String> seeds) {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("membership already started");
    }
    seedNames = List.copyOf(seeds);
    List<Endpoint> resolved = resolveAll(seedNames);
    transport.start(bind, this::onInbound);
    Endpoint advertised = transport.localEndpoint();
    localEndpoint = advertised;
    CompletableFuture<Void> ready = new CompletableFuture<>();
    loop.execute(() -> {
      core = new SwimCore(config, self, advertised, metadata, random, metrics);
      long now = clock.nanoTime();
      resolvedSeeds = resolved;
      nextResolveNanos = now + config.joinRetryMaxNanos();
      core.join(resolved, now);
      flush();
      scheduleTick();
      ready.complete(null);
    });
    log.info("membership of {} started at {} with {} seed address(es)", self, advertised,
        resolved.size());
    return ready;
  }

  private List<Endpoint> resolveAll(List<String> names) {
    List<Endpoint> out = new ArrayList<>();
    for (String name : names) {
      for (Endpoint e : resolver.resolve(name)) {
        if (!out.contains(e)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  private void scheduleTick() {
    if (closed.get()) {
      return;
    }
    try {
      tickTask = loop.schedule(config.tickIntervalNanos(), this::onTick);
    } catch (RejectedExecutionException e) {
      // loop shut down: nothing more to do
    }
  }

  private void onTick() {
    if (closed.get()) {
      return;
    }
    try {
      long now = clock.nanoTime();
      core.tick(now);
      flush();
      CompletableFuture<Void> drained = leaveDrained;
      if (drained != null && core.gossipSettled()) {
        drained.complete(null);
      }
      if (!seedNames.isEmpty() && now >= nextResolveNanos) {
        nextResolveNanos = now + config.joinRetryMaxNanos();
        reResolveSeeds();
      }
    } catch (RuntimeException e) {
      log.error("membership tick of {} failed; continuing", self, e);
    } finally {
      scheduleTick(); // a bug in one tick must not silently stop failure detection
    }
  }

  /** DNS may block: resolve on the listener executor, then hand the result back to the loop. */
  private void reResolveSeeds() {
    List<String> names = seedNames;
    listenerQueue.execute(() -> {
      List<Endpoint> fresh = resolveAll(names);
      runOnLoop(() -> {
        if (!fresh.isEmpty() && !fresh.equals(resolvedSeeds) && !core.hasLeft()) {
          resolvedSeeds = fresh;
          core.join(fresh, clock.nanoTime());
          flush();
        }
      });
    });
  }

  private void onInbound(Endpoint from, Message message) {
    runOnLoop(() -> {
      if (core != null) {
        try {
          core.step(from, message, clock.nanoTime());
          flush();
        } catch (RuntimeException e) {
          metrics.inc(Counter.PACKETS_DROPPED);
          log.error("membership of {} failed on {} from {}", self, message, from, e);
        }
      }
    });
  }

  private void runOnLoop(Runnable task) {
    if (closed.get()) {
      return;
    }
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      metrics.inc(Counter.PACKETS_DROPPED);
    }
  }

  private void flush() {
    for (Outbox.Send s : core.drainSends()) {
      try {
        if (s.channel() == Outbox.Channel.STREAM) {
          transport.send(s.to(), s.message());
        } else {
          transport.sendDatagram(s.to(), s.message());
        }
      } catch (RuntimeException e) {
        metrics.inc(Counter.PACKETS_DROPPED);
        log.debug("send to {} failed", s.to(), e);
      }
    }
    List<MembershipEvent> events = core.drainEvents();
    members = core.members();
    for (MembershipEvent event : events) {
      logEvent(event);
      listenerQueue.execute(() -> dispatch(event));
    }
  }

  private static void logEvent(MembershipEvent e) {
    switch (e.type()) {
      case JOINED:
      case FAILED:
      case LEFT:
        log.info("member {} at {} {}", e.member().id(), e.member().address(),
            e.type().name().toLowerCase(java.util.Locale.ROOT));
        break;
      default:
        log.debug("member {} {}", e.member().id(), e.type());
    }
  }

  private void dispatch(MembershipEvent event) {
    for (MembershipListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        log.warn("membership listener failed on {}", event, e);
      }
    }
  }

  /** A snapshot of the members this node knows, itself included, in identity order. */
  public List<Member> members() {
    return members;
  }

  /** The counters (live; read from any thread). */
  public MembershipMetrics metrics() {
    return metrics;
  }

  /** The advertised cluster endpoint, once started. */
  public Endpoint localEndpoint() {
    return localEndpoint;
  }

  /**
   * Publishes new metadata (for example a changed HTTP URL) under a raised incarnation; other
   * members see an {@code UPDATED} event.
   */
  public void updateMetadata(Map<String, String> newMetadata) {
    Map<String, String> copy = Map.copyOf(newMetadata);
    runOnLoop(() -> {
      if (core != null) {
        core.updateMetadata(copy, clock.nanoTime());
        flush();
      }
    });
  }

  /** Adds a listener; it sees only events after this call. */
  public void addListener(MembershipListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener. */
  public void removeListener(MembershipListener listener) {
    listeners.remove(listener);
  }

  /**
   * Announces {@code left}; the future completes once the announcement and every other queued
   * update have been piggybacked their full number of times (or nobody is left to tell).
   * Idempotent. Never blocks.
   */
  public CompletableFuture<Void> leaveAsync() {
    CompletableFuture<Void> drained = new CompletableFuture<>();
    if (!started.get() || closed.get()) {
      drained.complete(null);
      return drained;
    }
    try {
      loop.execute(() -> {
        if (core == null) {
          drained.complete(null);
          return;
        }
        if (!core.hasLeft()) {
          core.leave(clock.nanoTime());
          flush();
        }
        leaveDrained = drained;
        if (core.gossipSettled()) {
          drained.complete(null);
        }
      });
    } catch (RejectedExecutionException e) {
      drained.complete(null);
    }
    return drained;
  }

  /**
   * {@link #leaveAsync()} with a bounded wait; returns whether the announcement went out in time.
   * Must not be called on the loop.
   */
  public boolean leave(long timeoutNanos) {
    try {
      leaveAsync().get(timeoutNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  /** Stops ticking and closes the transport (call {@link #leave} first to leave gracefully). */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Cancellable t = tickTask;
    if (t != null) {
      t.cancel();
    }
    transport.close();
    log.info("membership of {} closed", self);
  }

  /** Runs tasks on a delegate executor one at a time, in submission order. */
  private static final class SerialExecutor implements Executor {
    private final Executor delegate;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();

    SerialExecutor(Executor delegate) {
      this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
      schedule();
    }

    private void schedule() {
      if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
        try {
          delegate.execute(this::drain);
        } catch (RejectedExecutionException e) {
          running.set(false);
          tasks.clear();
        }
      }
    }

    private void drain() {
      try {
        Runnable r;
        while ((r = tasks.poll()) != null) {
          try {
            r.run();
          } catch (RuntimeException e) {
            log.warn("membership task failed", e);
          }
        }
      } finally {
        running.set(false);
        schedule();
      }
    }
  }
}
