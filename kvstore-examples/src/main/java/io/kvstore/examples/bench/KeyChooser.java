package io.kvstore.examples.bench;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Chooses the key of the next operation among {@code K} keys named {@code key-0} .. {@code
 * key-(K-1)}. Names are built once, so choosing allocates nothing. Thread-safe; randomness comes
 * from the caller.
 */
final class KeyChooser {
  /** The key distributions. */
  enum Distribution {
    UNIFORM,
    ZIPF;

    /** Parses {@code uniform} or {@code zipf}. */
    static Distribution parse(String text) {
      switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "uniform":
          return UNIFORM;
        case "zipf":
        case "zipfian":
          return ZIPF;
        default:
          throw new IllegalArgumentException(
              "unknown key distribution '" + text + "' (uniform|zipf)");
      }
    }
  }

  private final String[] names;
  private final Distribution distribution;
  private final ZipfianGenerator zipf;

  KeyChooser(int keys, Distribution distribution) {
    if (keys < 1) {
      throw new IllegalArgumentException("--keys must be at least 1: " + keys);
    }
    this.names = new String[keys];
    for (int i = 0; i < keys; i++) {
      names[i] = "key-" + i;
    }
    this.distribution = distribution;
    this.zipf =
        distribution == Distribution.ZIPF
            ? new ZipfianGenerator(keys, ZipfianGenerator.DEFAULT_THETA)
            : null;
  }

  /** The index of the next key. */
  int nextIndex(RandomGenerator random) {
    return zipf != null ? zipf.next(random) : random.nextInt(names.length);
  }

  /** The name of the next key. */
  String next(RandomGenerator random) {
    return names[nextIndex(random)];
  }

  /** The name of key {@code index}. */
  String name(int index) {
    return names[index];
  }

  /** The number of keys. */
  int size() {
    return names.length;
  }

  /** The distribution. */
  Distribution distribution() {
    return distribution;
  }
}
