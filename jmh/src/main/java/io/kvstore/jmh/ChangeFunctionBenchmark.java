package io.kvstore.jmh;

import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import io.kvstore.internal.storage.PartitionStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One partition's map under the change function: {@link PartitionStore#execute} for put, get and
 * compare-and-set on 10k keys, single-threaded as the event loop runs it. This is the work each
 * operation costs on its owning loop, with no hand-off and no future.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ChangeFunctionBenchmark {
  /** Keys in the partition. */
  @Param({"10000"})
  public int keys;

  /** Value size in bytes. */
  @Param({"100"})
  public int valueSize;

  private PartitionStore store;
  private String[] names;
  private Command put;
  private Command get;
  private int next;
  private long now;

  /** Fills the partition. */
  @Setup
  public void setUp() {
    store = new PartitionStore();
    names = new String[keys];
    put = Command.put(new byte[valueSize], 0);
    get = Command.get();
    for (int i = 0; i < keys; i++) {
      names[i] = "key-" + i;
      store.execute(names[i], put, 0);
    }
  }

  private String nextKey() {
    int i = next + 1;
    next = i == keys ? 0 : i;
    return names[next];
  }

  /** An unconditional write of an existing key. */
  @Benchmark
  public Outcome put() {
    return store.execute(nextKey(), put, ++now);
  }

  /** A read of an existing key. */
  @Benchmark
  public Outcome get() {
    return store.execute(nextKey(), get, ++now);
  }

  /** A compare-and-set that matches: a read's version, then the conditional write. */
  @Benchmark
  public Outcome readThenCompareAndSet() {
    String key = nextKey();
    Outcome read = store.execute(key, get, ++now);
    return store.execute(key, Command.compareAndSet(read.version(), put.value(), 0), ++now);
  }
}
