package io.kvstore.sim.checker;

import java.util.Arrays;

/**
 * A set of 96-bit fingerprints (a 64-bit key and a 32-bit check) in open addressing: the checker's
 * memo of explored (linearized operations, model state) configurations, kept as fingerprints so
 * that millions of configurations fit in memory. A false match needs two configurations to agree on
 * 96 pseudo-random bits: with 10^8 entries the chance is about 10^-13, and its only effect would be
 * a pruned branch.
 */
final class FingerprintSet {
  private long[] keys = new long[1 << 12];
  private int[] checks = new int[1 << 12];
  private int size;

  /** Adds the fingerprint; returns false if it was present. */
  boolean add(long key, int check) {
    if (key == 0) {
      key = 0x9e3779b97f4a7c15L; // 0 marks empty slots
    }
    if (2 * (size + 1) > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int i = (int) (key ^ (key >>> 32)) & mask;
    while (keys[i] != 0) {
      if (keys[i] == key && checks[i] == check) {
        return false;
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    checks[i] = check;
    size++;
    return true;
  }

  int size() {
    return size;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldChecks = checks;
    keys = new long[oldKeys.length * 2];
    checks = new int[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      long k = oldKeys[j];
      if (k != 0) {
        int i = (int) (k ^ (k >>> 32)) & mask;
        while (keys[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = k;
        checks[i] = oldChecks[j];
      }
    }
    Arrays.fill(oldKeys, 0); // help the collector with very large tables
  }
}
