package io.kvstore.jmh;

import io.kvstore.KvStore;
import io.kvstore.Versioned;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The single-node store through its public API: the hand-off to the owning event loop and the
 * future on top of the change function. Sync calls from 1 and 4 threads (blocking round trips);
 * async calls in windows of {@value #WINDOW} in flight (throughput when the caller pipelines).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LocalStoreBenchmark {
  static final int KEYS = 10_000;
  static final int WINDOW = 64;

  /** One started store shared by every benchmark thread, with every key written once. */
  @State(Scope.Benchmark)
  public static class Store {
    KvStore store;
    String[] names;
    byte[] value = new byte[100];

    /** Starts and fills the store. */
    @Setup(Level.Trial)
    public void start() {
      store = KvStore.builder().nodeName("jmh").build().start();
      names = new String[KEYS];
      for (int i = 0; i < KEYS; i++) {
        names[i] = "key-" + i;
        store.put(names[i], value);
      }
    }

    /** Closes the store. */
    @TearDown(Level.Trial)
    public void stop() {
      store.close();
    }
  }

  /** Each thread walks the keys from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int next = (int) (Thread.currentThread().getId() * 7919 % KEYS);
    final CompletableFuture<?>[] window = new CompletableFuture<?>[WINDOW];

    String key(Store s) {
      int i = next + 1;
      next = i == KEYS ? 0 : i;
      return s.names[next];
    }
  }

  /** A blocking put, one thread. */
  @Benchmark
  @Threads(1)
  public long syncPut(Store s, Cursor c) {
    return s.store.put(c.key(s), s.value);
  }

  /** A blocking get, one thread. */
  @Benchmark
  @Threads(1)
  public Optional<Versioned<byte[]>> syncGet(Store s, Cursor c) {
    return s.store.get(c.key(s));
  }

  /** Blocking puts from four threads. */
  @Benchmark
  @Threads(4)
  public long syncPut4Threads(Store s, Cursor c) {
    return s.store.put(c.key(s), s.value);
  }

  /** Blocking gets from four threads. */
  @Benchmark
  @Threads(4)
  public Optional<Versioned<byte[]>> syncGet4Threads(Store s, Cursor c) {
    return s.store.get(c.key(s));
  }

  /** {@value #WINDOW} async puts in flight, then wait for all. */
  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(WINDOW)
  public Object asyncPut(Store s, Cursor c) {
    for (int i = 0; i < WINDOW; i++) {
      c.window[i] = s.store.async().put(c.key(s), s.value);
    }
    return CompletableFuture.allOf(c.window).join();
  }

  /** {@value #WINDOW} async gets in flight, then wait for all. */
  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(WINDOW)
  public Object asyncGet(Store s, Cursor c) {
    for (int i = 0; i < WINDOW; i++) {
      c.window[i] = s.store.async().get(c.key(s));
    }
    return CompletableFuture.allOf(c.window).join();
  }
}
