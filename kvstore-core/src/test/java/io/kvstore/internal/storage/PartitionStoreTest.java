package io.kvstore.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.internal.ops.Command;
import io.kvstore.internal.ops.Outcome;
import org.junit.jupiter.api.Test;

class PartitionStoreTest {
  private final PartitionStore store = new PartitionStore();

  private static byte[] v(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void versionsIncreaseAcrossDeleteAndRecreate() {
    assertThat(store.execute("k", Command.put(v("a"), 0), 0).version()).isEqualTo(1);
    assertThat(store.execute("k", Command.put(v("b"), 0), 0).version()).isEqualTo(2);
    assertThat(store.execute("k", Command.delete(), 0).applied()).isTrue();
    assertThat(store.execute("k", Command.delete(), 0).applied()).isFalse();
    assertThat(store.execute("k", Command.get(), 0).applied()).isFalse();
    assertThat(store.execute("k", Command.put(v("c"), 0), 0).version()).isEqualTo(3);
    assertThat(store.floorVersion()).isEqualTo(2);
  }

  @Test
  void compareAndSetAndPutIfAbsent() {
    assertThat(store.execute("k", Command.compareAndSet(1, v("x"), 0), 0).applied()).isFalse();
    assertThat(store.execute("k", Command.compareAndSet(0, v("x"), 0), 0).version()).isEqualTo(1);
    Outcome refused = store.execute("k", Command.putIfAbsent(v("y"), 0), 0);
    assertThat(refused.applied()).isFalse();
    assertThat(refused.version()).isEqualTo(1);
    assertThat(store.execute("k", Command.compareAndSet(1, v("z"), 0), 0).version()).isEqualTo(2);
    assertThat(new String(store.execute("k", Command.get(), 0).value())).isEqualTo("z");
  }

  @Test
  void expiredValuesReadAsAbsentAndAreSwept() {
    store.execute("a", Command.put(v("1"), 100), 1_000);
    store.execute("b", Command.put(v("2"), 500), 1_000);
    store.execute("c", Command.put(v("3"), 0), 1_000);
    assertThat(store.execute("a", Command.get(), 1_099).applied()).isTrue();
    assertThat(store.execute("a", Command.get(), 1_100).applied()).isFalse();
    assertThat(store.expire(1_499)).isZero();
    assertThat(store.expire(1_500)).isEqualTo(1);
    assertThat(store.size()).isEqualTo(1);
    // An expired key comes back with a higher version than it had.
    assertThat(store.execute("b", Command.put(v("4"), 0), 2_000).version()).isEqualTo(2);
  }

  @Test
  void rewritingAKeyCancelsItsOldExpiry() {
    store.execute("a", Command.put(v("1"), 100), 0);
    store.execute("a", Command.put(v("2"), 0), 50);
    assertThat(store.expire(1_000)).isZero();
    assertThat(store.execute("a", Command.get(), 1_000).applied()).isTrue();
  }
}
