package io.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfianGeneratorTest {
  private static final int ITEMS = 1000;
  private static final int SAMPLES = 1_000_000;

  private static long[] histogram(ZipfianGenerator z, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] counts = new long[z.items()];
    for (int i = 0; i < SAMPLES; i++) {
      counts[z.next(random)]++;
    }
    return counts;
  }

  @Test
  void rankOneAndTwoFrequenciesMatchTheZipfLaw() {
    ZipfianGenerator z = new ZipfianGenerator(ITEMS, 0.99);
    long[] counts = histogram(z, 42);
    // Ranks 0 and 1 are drawn exactly with the Zipf probabilities (about 13% and 7% here); the
    // binomial standard deviation at 1M samples is ~0.03 points, so 0.5 points cannot flake.
    assertThat((double) counts[0] / SAMPLES).isCloseTo(z.probability(0), within(0.005));
    assertThat((double) counts[1] / SAMPLES).isCloseTo(z.probability(1), within(0.005));
    assertThat(z.probability(0)).isGreaterThan(0.1);
  }

  @Test
  void frequencyDecreasesWithRank() {
    ZipfianGenerator z = new ZipfianGenerator(ITEMS, 0.99);
    long[] counts = histogram(z, 7);
    for (int r = 1; r < 10; r++) {
      assertThat(counts[r]).as("rank %d vs %d", r, r - 1).isLessThan(counts[r - 1]);
    }
    // Beyond the head, compare decades: [1,10) > [10,100) per key and so on, and each decade's
    // mass is within 15% of the exact Zipf mass.
    int[] bounds = {1, 10, 100, 1000};
    double previousPerKey = Double.MAX_VALUE;
    for (int d = 0; d + 1 < bounds.length; d++) {
      long observed = 0;
      double expected = 0;
      for (int r = bounds[d]; r < bounds[d + 1]; r++) {
        observed += counts[r];
        expected += z.probability(r);
      }
      double share = (double) observed / SAMPLES;
      assertThat(share)
          .as("decade from rank %d", bounds[d])
          .isCloseTo(expected, within(expected * 0.15));
      double perKey = share / (bounds[d + 1] - bounds[d]);
      assertThat(perKey).isLessThan(previousPerKey);
      previousPerKey = perKey;
    }
  }

  @Test
  void everyRankIsInRangeAndTheSeedReproducesTheSequence() {
    ZipfianGenerator z = new ZipfianGenerator(10, 0.99);
    SplittableRandom a = new SplittableRandom(3);
    SplittableRandom b = new SplittableRandom(3);
    for (int i = 0; i < 10_000; i++) {
      int r = z.next(a);
      assertThat(r).isBetween(0, 9);
      assertThat(z.next(b)).isEqualTo(r);
    }
    assertThat(new ZipfianGenerator(1, 0.99).next(a)).isZero();
  }

  @Test
  void rejectsBadParameters() {
    assertThatThrownBy(() -> new ZipfianGenerator(0, 0.99))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ZipfianGenerator(10, 1.0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void uniformKeysCoverTheRangeEvenly() {
    KeyChooser keys = new KeyChooser(100, KeyChooser.Distribution.UNIFORM);
    SplittableRandom random = new SplittableRandom(11);
    long[] counts = new long[100];
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      counts[keys.nextIndex(random)]++;
    }
    // Chi-square with 99 degrees of freedom: the 99.99th percentile is about 160.
    double expected = n / 100.0;
    double chi2 = 0;
    for (long c : counts) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    assertThat(chi2).isLessThan(160);
    assertThat(keys.name(7)).isEqualTo("key-7");
  }

  @Test
  void zipfKeysFavourTheFirstKey() {
    KeyChooser keys = new KeyChooser(1000, KeyChooser.Distribution.ZIPF);
    SplittableRandom random = new SplittableRandom(5);
    int first = 0;
    for (int i = 0; i < 10_000; i++) {
      if (keys.next(random).equals("key-0")) {
        first++;
      }
    }
    assertThat(first).isGreaterThan(1000);
    assertThat(KeyChooser.Distribution.parse("zipf")).isEqualTo(KeyChooser.Distribution.ZIPF);
    assertThatThrownBy(() -> KeyChooser.Distribution.parse("normal"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
