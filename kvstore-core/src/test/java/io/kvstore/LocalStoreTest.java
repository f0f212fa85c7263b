package io.kvstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalStoreTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final KvStore store =
      KvStore.builder().nodeName("n1").maxKeyBytes(16).maxValueBytes(32).clock(now::get).build();

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void lifecycle() {
    assertThat(store.state()).isEqualTo(NodeState.NEW);
    assertThatThrownBy(() -> store.get("k")).isInstanceOf(IllegalStateException.class);
    store.start();
    store.start(); // idempotent
    assertThat(store.state()).isEqualTo(NodeState.RUNNING);
    assertThat(store.nodeId().name()).isEqualTo("n1");
    assertThat(store.members()).hasSize(1);
    store.close();
    store.close();
    assertThat(store.state()).isEqualTo(NodeState.CLOSED);
    assertThatThrownBy(() -> store.put("k", new byte[1])).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(store::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void basicOperations() {
    store.start();
    assertThat(store.get("k")).isEmpty();
    long v1 = store.put("k", "one".getBytes(UTF_8));
    Versioned<byte[]> read = store.get("k").orElseThrow();
    assertThat(new String(read.value(), UTF_8)).isEqualTo("one");
    assertThat(read.version()).isEqualTo(v1);
    assertThat(store.compareAndSet("k", v1 + 1, "x".getBytes(UTF_8))).isFalse();
    assertThat(store.compareAndSet("k", v1, "two".getBytes(UTF_8))).isTrue();
    assertThat(store.putIfAbsent("k", "x".getBytes(UTF_8))).isFalse();
    VersionConflictException conflict =
        org.junit.jupiter.api.Assertions.assertThrows(
            VersionConflictException.class, () -> store.replace("k", v1, "y".getBytes(UTF_8)));
    assertThat(conflict.currentVersion()).isGreaterThan(v1);
    assertThat(store.delete("k")).isTrue();
    assertThat(store.delete("k")).isFalse();
    assertThat(store.putIfAbsent("k", "three".getBytes(UTF_8))).isTrue();
    assertThat(store.get("k").orElseThrow().version()).isGreaterThan(conflict.currentVersion());
  }

  @Test
  void valuesAreCopiedInAndOut() {
    store.start();
    byte[] value = "abc".getBytes(UTF_8);
    store.put("k", value);
    value[0] = 'X';
    byte[] read = store.get("k").orElseThrow().value();
    assertThat(new String(read, UTF_8)).isEqualTo("abc");
    read[0] = 'Y';
    assertThat(new String(store.get("k").orElseThrow().value(), UTF_8)).isEqualTo("abc");
  }

  @Test
  void limitsAndBadArgumentsAreTypedErrors() {
    store.start();
    assertThatThrownBy(() -> store.put("k".repeat(17), new byte[1]))
        .isInstanceOf(KeyTooLargeException.class)
        .hasMessageContaining("17 bytes");
    // 6 two-byte characters are 12 bytes (fits); 9 are 18 bytes (too large).
    store.put("é".repeat(6), new byte[1]);
    assertThatThrownBy(() -> store.get("é".repeat(9))).isInstanceOf(KeyTooLargeException.class);
    assertThatThrownBy(() -> store.put("k", new byte[33])).isInstanceOf(ValueTooLargeException.class);
    assertThatThrownBy(() -> store.put("", new byte[1])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.put(null, new byte[1])).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.put("k", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.put("k", new byte[1], Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.compareAndSet("k", -1, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class);
    // Nothing above was applied.
    assertThat(store.get("k")).isEmpty();
  }

  @Test
  void asyncFailuresCarryTheTypedExceptionDirectly() {
    store.start();
    var future = store.async().put("k", new byte[64]);
    assertThatThrownBy(future::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ValueTooLargeException.class);
    assertThatThrownBy(future::join)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(ValueTooLargeException.class);
    assertThat(store.async().sync()).isSameAs(store);
  }

  @Test
  void ttlExpiresValuesByTheInjectedClock() {
    store.start();
    store.put("lease", "me".getBytes(UTF_8), Duration.ofSeconds(10));
    assertThat(store.putIfAbsent("lock", "a".getBytes(UTF_8), Duration.ofSeconds(5))).isTrue();
    now.addAndGet(Duration.ofSeconds(6).toNanos());
    assertThat(store.get("lease")).isPresent();
    assertThat(store.putIfAbsent("lock", "b".getBytes(UTF_8), Duration.ofSeconds(5))).isTrue();
    now.addAndGet(Duration.ofSeconds(5).toNanos());
    assertThat(store.get("lease")).isEmpty();
    assertThat(store.get("lock")).isEmpty();
  }

  @Test
  void typedViews() {
    store.start();
    TypedKvStore<String> strings = store.strings();
    long v = strings.put("greeting", "hello");
    assertThat(strings.get("greeting")).contains(new Versioned<>("hello", v));
    assertThat(strings.compareAndSet("greeting", v, "hi")).isTrue();
    TypedKvStore<Integer> ints =
        store.typed(
            new Codec<>() {
              @Override
              public byte[] encode(Integer value) {
                return Integer.toString(value).getBytes(UTF_8);
              }

              @Override
              public Integer decode(byte[] bytes) {
                return Integer.parseInt(new String(bytes, UTF_8));
              }
            });
    ints.put("n", 41);
    assertThat(ints.get("n").orElseThrow().value()).isEqualTo(41);
  }

  /** Real threads increment one counter by compare-and-set loops: no update may be lost. */
  @Test
  void concurrentCompareAndSetLosesNoIncrement() throws Exception {
    store.start();
    int threads = 8;
    int perThread = 300;
    store.strings().put("counter", "0");
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                try {
                  go.await();
                  for (int i = 0; i < perThread; i++) {
                    while (true) {
                      Versioned<String> cur = store.strings().get("counter").orElseThrow();
                      String next = Integer.toString(Integer.parseInt(cur.value()) + 1);
                      if (store.strings().compareAndSet("counter", cur.version(), next)) {
                        break;
                      }
                    }
                  }
                } catch (Throwable e) {
                  errors.add(e);
                }
              });
      w.start();
      workers.add(w);
    }
    go.countDown();
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(60));
    }
    assertThat(errors).isEmpty();
    assertThat(store.strings().get("counter").orElseThrow().value())
        .isEqualTo(Integer.toString(threads * perThread));
  }

  @Test
  void aBlockingCallInsideAnAsyncCallbackIsRefusedInsteadOfDeadlocking() {
    store.start();
    // The callback runs on the store's thread when the future completes after it was attached
    // (almost always); try until that happened, within a bound.
    boolean sawLoopThread = false;
    for (int i = 0; i < 200 && !sawLoopThread; i++) {
      String[] thread = new String[1];
      String result =
          store.async().put("a", new byte[1]).thenApply(v -> {
            thread[0] = Thread.currentThread().getName();
            try {
              store.put("b", new byte[1]);
              return "no error";
            } catch (IllegalStateException e) {
              return e.getMessage();
            }
          }).join();
      sawLoopThread = thread[0].startsWith("kvstore-");
      assertThat(result).isEqualTo(sawLoopThread ? result : "no error");
      if (sawLoopThread) {
        assertThat(result).contains("would deadlock");
      }
    }
    assertThat(sawLoopThread).isTrue();
  }

  @Test
  void closeFinishesOperationsAlreadyAccepted() {
    store.start();
    List<java.util.concurrent.CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      futures.add(store.async().put("k" + (i % 50), new byte[8]));
    }
    store.close();
    for (var f : futures) {
      assertThat(f).isCompleted();
      assertThat(f.isCompletedExceptionally()).isFalse();
    }
  }
}
