package io.kvstore;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * lincheck stress test: real threads call the store concurrently and every outcome must match some
 * sequential execution of {@link Sequential} (the reference semantics). Proves the store's
 * thread-safety claim, versions and compare-and-set included.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:3")
@Param(name = "value", gen = IntGen.class, conf = "0:9")
@Param(name = "version", gen = IntGen.class, conf = "0:4")
public class LocalStoreLincheckTest {
  private static final int PARTITIONS = 2;
  /** lincheck builds one instance per invocation; close the previous store to free its threads. */
  private static final AtomicReference<KvStore> LAST = new AtomicReference<>();

  private final KvStore store;

  public LocalStoreLincheckTest() {
    store = KvStore.builder().partitions(PARTITIONS).eventLoops(2).build().start();
    KvStore previous = LAST.getAndSet(store);
    if (previous != null) {
      previous.close();
    }
  }

  @AfterAll
  static void closeLast() {
    KvStore last = LAST.getAndSet(null);
    if (last != null) {
      last.close();
    }
  }

  private static String key(int k) {
    return "key" + k;
  }

  private static byte[] bytes(int v) {
    return ("v" + v).getBytes(StandardCharsets.UTF_8);
  }

  @Operation
  public long put(@Param(name = "key") int k, @Param(name = "value") int v) {
    return store.put(key(k), bytes(v));
  }

  @Operation
  public String get(@Param(name = "key") int k) {
    return ReferenceStore.show(store.get(key(k)));
  }

  @Operation
  public boolean delete(@Param(name = "key") int k) {
    return store.delete(key(k));
  }

  @Operation
  public boolean compareAndSet(
      @Param(name = "key") int k, @Param(name = "version") int expected, @Param(name = "value") int v) {
    return store.compareAndSet(key(k), expected, bytes(v));
  }

  @Operation
  public boolean putIfAbsent(@Param(name = "key") int k, @Param(name = "value") int v) {
    return store.putIfAbsent(key(k), bytes(v));
  }

  @Test
  void linearizableUnderConcurrentCallers() {
    new StressOptions()
        .iterations(30)
        .invocationsPerIteration(300)
        .threads(3)
        .actorsPerThread(3)
        .sequentialSpecification(Sequential.class)
        .check(LocalStoreLincheckTest.class);
  }

  /** The sequential specification: {@link ReferenceStore} behind the same operations. */
  public static final class Sequential {
    private final ReferenceStore model = new ReferenceStore(PARTITIONS);

    public long put(int k, int v) {
      return model.put(key(k), "v" + v);
    }

    public String get(int k) {
      return model.get(key(k));
    }

    public boolean delete(int k) {
      return model.delete(key(k));
    }

    public boolean compareAndSet(int k, int expected, int v) {
      return model.compareAndSet(key(k), expected, "v" + v);
    }

    public boolean putIfAbsent(int k, int v) {
      return model.putIfAbsent(key(k), "v" + v);
    }
  }
}
