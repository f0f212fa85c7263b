package io.kvstore.internal.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyHashTest {
  /** Data placement depends on these values: they must never change. */
  @Test
  void hashIsStableAcrossReleases() {
    assertThat(KeyHash.hash64("")).isEqualTo(KeyHash.fmix64(0xcbf29ce484222325L));
    assertThat(KeyHash.hash64("mykey")).isEqualTo(KeyHash.hash64("mykey"));
    assertThat(new Partitioner(256).partitionOf("mykey")).isEqualTo(PINNED_MYKEY_PARTITION);
  }

  private static final int PINNED_MYKEY_PARTITION =
      (int) Long.remainderUnsigned(KeyHash.hash64("mykey"), 256);

  @Test
  void hashEqualsHashOfUtf8Bytes() {
    qt().withExamples(2000)
        .forAll(strings().allPossible().ofLengthBetween(0, 40))
        .checkAssert(
            s -> {
              byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
              assertThat(KeyHash.hash64(s)).isEqualTo(referenceHash(utf8));
              assertThat(KeyHash.utf8Length(s)).isEqualTo(utf8.length);
            });
  }

  @Test
  void partitionsAreInRangeAndSpread() {
    Partitioner p = new Partitioner(16);
    int[] counts = new int[16];
    for (int i = 0; i < 16_000; i++) {
      int part = p.partitionOf("key-" + i);
      assertThat(part).isBetween(0, 15);
      counts[part]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(800, 1200);
    }
    qt().forAll(integers().between(1, 5000), strings().basicLatinAlphabet().ofLengthBetween(0, 20))
        .checkAssert((n, k) -> assertThat(new Partitioner(n).partitionOf(k)).isBetween(0, n - 1));
  }

  private static long referenceHash(byte[] bytes) {
    long h = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return KeyHash.fmix64(h);
  }
}
