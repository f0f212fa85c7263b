package io.kvstore.sim.checker;

import io.kvstore.sim.Operation;
import io.kvstore.sim.Operation.Kind;
import io.kvstore.sim.Operation.Status;
import java.util.List;

/**
 * A deliberately naive linearizability check of one key, written independently of {@link KvModel}:
 * it tries every order of the operations that respects real time, every subset of the operations of
 * unknown outcome, and every relevant version for writes whose version was not observed.
 * Exponential; only for histories of a handful of operations.
 */
final class BruteForceChecker {
  private final Operation[] ops;
  private final boolean[] used;
  private final long maxMentioned;

  private BruteForceChecker(List<Operation> history) {
    this.ops = history.toArray(new Operation[0]);
    this.used = new boolean[ops.length];
    long m = 0;
    for (Operation o : ops) {
      m = Math.max(m, Math.max(o.version(), o.expectedVersion()));
    }
    this.maxMentioned = m;
  }

  /** Whether the single-key history is linearizable. */
  static boolean isLinearizable(List<Operation> history) {
    return new BruteForceChecker(history).search(false, null, 0);
  }

  private boolean mustPlace(Operation o) {
    return o.status() == Status.OK;
  }

  private boolean search(boolean present, String value, long version) {
    boolean allPlaced = true;
    for (int i = 0; i < ops.length; i++) {
      if (!used[i] && mustPlace(ops[i])) {
        allPlaced = false;
      }
    }
    if (allPlaced) {
      return true;
    }
    for (int i = 0; i < ops.length; i++) {
      Operation o = ops[i];
      if (used[i] || o.status() == Status.FAIL) {
        continue;
      }
      if (o.kind() == Kind.GET && o.status() != Status.OK) {
        continue;
      }
      if (!minimal(i)) {
        continue;
      }
      used[i] = true;
      boolean found = tryApply(o, present, value, version);
      used[i] = false;
      if (found) {
        return true;
      }
    }
    return false;
  }

  /** Whether no unplaced operation that must be placed returned before {@code i} was called. */
  private boolean minimal(int i) {
    for (int j = 0; j < ops.length; j++) {
      if (j != i && !used[j] && mustPlace(ops[j]) && ops[j].returnNanos() < ops[i].callNanos()) {
        return false;
      }
    }
    return true;
  }

  private boolean tryApply(Operation o, boolean present, String value, long version) {
    boolean known = o.status() == Status.OK;
    switch (o.kind()) {
      case GET:
        if ((o.value() != null) != present) {
          return false;
        }
        if (present && !o.value().equals(value)) {
          return false;
        }
        if (present && o.version() >= 0 && o.version() != version) {
          return false;
        }
        return search(present, value, version);
      case PUT:
        return writeEach(o, known, version);
      case DELETE:
        if (known && o.applied() != present) {
          return false;
        }
        return search(false, null, version);
      case CAS:
      case PUT_IF_ABSENT:
        {
          long expected = o.kind() == Kind.CAS ? o.expectedVersion() : 0;
          boolean match = (present ? version : 0) == expected;
          if (known && o.applied() != match) {
            return false;
          }
          return match ? writeEach(o, known, version) : search(present, value, version);
        }
      default:
        throw new AssertionError();
    }
  }

  private boolean writeEach(Operation o, boolean known, long prev) {
    if (known && o.version() >= 0) {
      return o.version() > prev && search(true, o.value(), o.version());
    }
    // Any version above prev; those above every mentioned version behave alike.
    for (long v = prev + 1; v <= Math.max(prev + 1, maxMentioned + 1); v++) {
      if (search(true, o.value(), v)) {
        return true;
      }
    }
    return false;
  }
}
