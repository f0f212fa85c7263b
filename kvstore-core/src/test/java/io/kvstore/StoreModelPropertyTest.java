package io.kvstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Model-based property test: random sequences of API calls give the same answers from the store and
 * from {@link ReferenceStore}, versions and compare-and-set outcomes included. QuickTheories shrinks
 * a failing sequence to a minimal one.
 */
class StoreModelPropertyTest {
  private static final int PARTITIONS = 4;
  private static final String[] KEYS = {"a", "b", "c", "d", "ключ", "k/1"};

  @Test
  void storeAgreesWithReferenceModel() {
    qt().withExamples(300)
        .forAll(lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, 60))
        .checkAssert(ops -> runSequence(ops));
  }

  /** Each sequence runs against a fresh store and a fresh model. */
  private static void runSequence(List<Integer> ops) {
    ReferenceStore model = new ReferenceStore(PARTITIONS);
    List<String> trace = new ArrayList<>();
    KvStore s = freshStore();
    try {
      for (int code : ops) {
        String key = KEYS[(code >>> 3) % KEYS.length];
        String value = "v" + (code >>> 6) % 100;
        switch (code % 6) {
          case 0 -> expect(trace, "put " + key, s.put(key, bytes(value)), model.put(key, value));
          case 1 -> expect(trace, "get " + key, ReferenceStore.show(s.get(key)), model.get(key));
          case 2 -> expect(trace, "delete " + key, s.delete(key), model.delete(key));
          case 3 -> {
            // CAS against the current version half the time, a nearby wrong one otherwise.
            long expected = (code & 64) == 0 ? model.versionOf(key) : (code >>> 7) % 4;
            expect(
                trace,
                "cas " + key + " " + expected,
                s.compareAndSet(key, expected, bytes(value)),
                model.compareAndSet(key, expected, value));
          }
          case 4 -> expect(
              trace, "putIfAbsent " + key, s.putIfAbsent(key, bytes(value)), model.putIfAbsent(key, value));
          default -> {
            long expected = model.versionOf(key);
            boolean ok = (code & 64) == 0;
            long asked = ok ? expected : expected + 1;
            try {
              long v = s.replace(key, asked, bytes(value));
              assertThat(model.compareAndSet(key, asked, value)).as("replace %s", trace).isTrue();
              expect(trace, "replace " + key, v, model.versionOf(key));
            } catch (VersionConflictException e) {
              assertThat(model.compareAndSet(key, asked, value)).as("replace %s", trace).isFalse();
              assertThat(e.currentVersion()).as("conflict version %s", trace).isEqualTo(expected);
            }
          }
        }
      }
    } finally {
      s.close();
    }
  }

  private static KvStore freshStore() {
    return KvStore.builder().nodeName("model").partitions(PARTITIONS).eventLoops(2).build().start();
  }

  private static void expect(List<String> trace, String op, Object actual, Object expected) {
    trace.add(op + " -> " + actual);
    assertThat(actual).as("after %s", trace).isEqualTo(expected);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
