package io.kvstore.sim.checker;

import static io.kvstore.sim.Operation.UNKNOWN_VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.sim.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-written histories the checker must accept or reject. */
final class LinearizabilityCheckerTest {
  private static final String K = "k";
  private static final long U = UNKNOWN_VERSION;

  private static boolean check(Operation... ops) {
    CheckResult r = new LinearizabilityChecker().check(List.of(ops));
    assertThat(r.verdict()).isNotEqualTo(CheckResult.Verdict.UNDECIDED);
    return r.isLinearizable();
  }

  @Test
  void emptyHistoryIsLinearizable() {
    assertThat(check()).isTrue();
  }

  @Test
  void sequentialWriteThenRead() {
    assertThat(check(Operation.put(1, K, "a", 1, 0, 10), Operation.get(2, K, "a", 1, 20, 30)))
        .isTrue();
  }

  @Test
  void concurrentReadMaySeeOldOrNewValue() {
    Operation write = Operation.put(1, K, "b", 2, 10, 50);
    assertThat(check(Operation.put(1, K, "a", 1, 0, 5), write, Operation.get(2, K, "a", 1, 20, 30)))
        .isTrue();
    assertThat(check(Operation.put(1, K, "a", 1, 0, 5), write, Operation.get(2, K, "b", 2, 20, 30)))
        .isTrue();
  }

  @Test
  void rejectsStaleReadAfterCompletedWrite() {
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10),
                Operation.put(1, K, "b", 2, 20, 30),
                Operation.get(2, K, "a", 1, 40, 50)))
        .isFalse();
  }

  @Test
  void rejectsLostWrite() {
    // The write completed, yet a later read finds the key absent.
    assertThat(check(Operation.put(1, K, "a", 1, 0, 10), Operation.get(2, K, null, 0, 20, 30)))
        .isFalse();
  }

  @Test
  void rejectsNonMonotonicReads() {
    // Two reads concurrent with the write each may go either way, but not new-then-old in order.
    Operation write = Operation.put(1, K, "b", 2, 10, 100);
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 5),
                write,
                Operation.get(2, K, "b", 2, 20, 30),
                Operation.get(3, K, "a", 1, 40, 50)))
        .isFalse();
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 5),
                write,
                Operation.get(2, K, "a", 1, 20, 30),
                Operation.get(3, K, "b", 2, 40, 50)))
        .isTrue();
  }

  @Test
  void rejectsCasThatSucceededOnWrongVersion() {
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10),
                Operation.put(1, K, "b", 2, 20, 30),
                Operation.cas(2, K, 1, "c", true, 3, 40, 50)))
        .isFalse();
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10),
                Operation.put(1, K, "b", 2, 20, 30),
                Operation.cas(2, K, 2, "c", true, 3, 40, 50),
                Operation.get(3, K, "c", 3, 60, 70)))
        .isTrue();
  }

  @Test
  void rejectsCasThatFailedOnMatchingVersion() {
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10), Operation.cas(2, K, 1, "c", false, U, 40, 50)))
        .isFalse();
  }

  @Test
  void rejectsReadOfValueNeverWritten() {
    assertThat(check(Operation.put(1, K, "a", 1, 0, 10), Operation.get(2, K, "zzz", U, 5, 30)))
        .isFalse();
  }

  @Test
  void rejectsReadWithWrongVersion() {
    assertThat(check(Operation.put(1, K, "a", 7, 0, 10), Operation.get(2, K, "a", 6, 20, 30)))
        .isFalse();
  }

  @Test
  void versionsMayJumpButNeverGoBack() {
    assertThat(check(Operation.put(1, K, "a", 5, 0, 10), Operation.put(1, K, "b", 9, 20, 30)))
        .isTrue();
    assertThat(check(Operation.put(1, K, "a", 5, 0, 10), Operation.put(1, K, "b", 5, 20, 30)))
        .isFalse();
    // Across a delete, too.
    assertThat(
            check(
                Operation.put(1, K, "a", 5, 0, 10),
                Operation.delete(1, K, true, 20, 30),
                Operation.put(1, K, "b", 3, 40, 50)))
        .isFalse();
  }

  @Test
  void deleteAndPutIfAbsent() {
    assertThat(
            check(
                Operation.putIfAbsent(1, K, "a", true, 1, 0, 10),
                Operation.putIfAbsent(2, K, "b", false, U, 20, 30),
                Operation.delete(1, K, true, 40, 50),
                Operation.delete(2, K, false, 60, 70),
                Operation.get(3, K, null, 0, 80, 90),
                Operation.putIfAbsent(2, K, "c", true, 2, 100, 110)))
        .isTrue();
    // A second delete of the same value cannot also find it present.
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10),
                Operation.delete(1, K, true, 20, 30),
                Operation.delete(2, K, true, 40, 50)))
        .isFalse();
  }

  @Test
  void unknownWriteMayTakeEffectLater() {
    // The put timed out; a read long after its call sees it.
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10),
                Operation.put(2, K, "b", U, 20, 30).unknown(),
                Operation.get(3, K, "b", U, 100, 110)))
        .isTrue();
  }

  @Test
  void unknownWriteMayNeverTakeEffect() {
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10),
                Operation.put(2, K, "b", U, 20, 30).unknown(),
                Operation.get(3, K, "a", 1, 100, 110)))
        .isTrue();
  }

  @Test
  void unknownWriteCannotTakeEffectBeforeItsCall() {
    assertThat(
            check(
                Operation.get(3, K, "b", U, 0, 10), Operation.put(2, K, "b", U, 20, 30).unknown()))
        .isFalse();
  }

  @Test
  void unknownWriteCannotTakeEffectTwice() {
    // b appears, is overwritten by c, then b is read again: stale read even with an unknown write.
    assertThat(
            check(
                Operation.put(2, K, "b", U, 0, 10).unknown(),
                Operation.get(3, K, "b", U, 20, 30),
                Operation.put(1, K, "c", U, 40, 50),
                Operation.get(3, K, "b", U, 60, 70)))
        .isFalse();
  }

  @Test
  void failedWriteNeverTakesEffect() {
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10),
                Operation.put(2, K, "b", U, 20, 30).failed(),
                Operation.get(3, K, "b", U, 100, 110)))
        .isFalse();
  }

  @Test
  void unknownCasResolvesByState() {
    // The cas expected version 1; it may have applied (the read of c proves it did).
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10),
                Operation.cas(2, K, 1, "c", true, U, 20, 30).unknown(),
                Operation.get(3, K, "c", U, 40, 50)))
        .isTrue();
    // Expected version 7 never existed, so the cas cannot have written c.
    assertThat(
            check(
                Operation.put(1, K, "a", 1, 0, 10),
                Operation.cas(2, K, 7, "c", true, U, 20, 30).unknown(),
                Operation.get(3, K, "c", U, 40, 50)))
        .isFalse();
  }

  @Test
  void valueOnlyHistoriesWork() {
    assertThat(
            check(
                Operation.put(1, K, "a", U, 0, 10),
                Operation.put(2, K, "b", U, 5, 30),
                Operation.get(3, K, "a", U, 40, 50),
                Operation.get(3, K, "a", U, 60, 70)))
        .isTrue();
    assertThat(
            check(
                Operation.put(1, K, "a", U, 0, 10),
                Operation.put(2, K, "b", U, 5, 30),
                Operation.get(3, K, "a", U, 40, 50),
                Operation.get(3, K, "b", U, 60, 70)))
        .isFalse();
  }

  @Test
  void keysAreIndependent() {
    CheckResult r =
        new LinearizabilityChecker()
            .check(
                List.of(
                    Operation.put(1, "x", "a", 1, 0, 10),
                    Operation.put(1, "y", "a", 1, 0, 10),
                    Operation.get(2, "x", "a", 1, 20, 30),
                    Operation.get(2, "y", null, 0, 20, 30)));
    assertThat(r.isLinearizable()).isFalse();
    assertThat(r.keysChecked()).isEqualTo(2);
    assertThat(r.explanations()).hasSize(1);
    assertThat(r.explanations().get(0)).startsWith("key 'y'");
  }

  @Test
  void undecidedWhenBudgetRunsOut() {
    CheckResult r =
        new LinearizabilityChecker(1)
            .check(List.of(Operation.put(1, K, "a", 1, 0, 10), Operation.put(2, K, "b", 2, 0, 10)));
    assertThat(r.verdict()).isEqualTo(CheckResult.Verdict.UNDECIDED);
  }
}
