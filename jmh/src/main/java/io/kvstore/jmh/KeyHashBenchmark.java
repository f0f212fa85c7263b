package io.kvstore.jmh;

import io.kvstore.internal.partition.KeyHash;
import io.kvstore.internal.partition.Partitioner;
import java.util.SplittableRandom;
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
 * Cost of {@link KeyHash#hash64} and {@link Partitioner#partitionOf} per key, over ASCII keys of a
 * few lengths and one non-ASCII set (which takes the multi-byte UTF-8 branches).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class KeyHashBenchmark {
  private static final int KEYS = 1024;

  /** Key length in characters. */
  @Param({"8", "32", "256"})
  public int keyLength;

  /** {@code ascii} or {@code utf8} (Cyrillic, two bytes a character). */
  @Param({"ascii", "utf8"})
  public String alphabet;

  private String[] keys;
  private Partitioner partitioner;
  private int next;

  /** Builds the keys. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(1);
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      StringBuilder b = new StringBuilder(keyLength);
      for (int c = 0; c < keyLength; c++) {
        b.append(
            alphabet.equals("ascii")
                ? (char) ('a' + random.nextInt(26))
                : (char) (0x430 + random.nextInt(32)));
      }
      keys[i] = b.toString();
    }
    partitioner = new Partitioner(256);
  }

  private String nextKey() {
    next = (next + 1) & (KEYS - 1);
    return keys[next];
  }

  /** The 64-bit key hash. */
  @Benchmark
  public long hash64() {
    return KeyHash.hash64(nextKey());
  }

  /** Hash, then the partition out of 256. */
  @Benchmark
  public int partitionOf() {
    return partitioner.partitionOf(nextKey());
  }
}
