package io.kvstore.sim.checker;

import io.kvstore.sim.Operation;
import io.kvstore.sim.Operation.Kind;
import io.kvstore.sim.Operation.Status;

/**
 * The sequential specification of one key: a register with a value and a version, as the real store
 * implements it.
 *
 * <p>Versions. Every write gives the key a version strictly greater than every version the key had
 * before, across deletes; versions may jump (the store writes {@code max(key version, partition
 * floor) + 1}, and the floor moves with other keys). So the model checks, per key, that a write's
 * version is greater than the last version in the linearization, and that a get returns exactly the
 * last written (value, version). When a write's version was not observed (value-only histories,
 * unknown outcomes) the state only knows a lower bound: {@code exact == false} means "the current
 * version is at least {@code version}". A later get that reports a version refines the bound; a cas
 * on an inexact state may both match and mismatch, so {@link #step} is nondeterministic and returns
 * up to two successor states.
 *
 * <p>Put-if-absent is a cas that expects version 0 ("absent"), exactly as in the store.
 *
 * <p>Thread-unsafe; states are immutable values.
 */
final class KvModel {
  private KvModel() {}

  /**
   * A model state.
   *
   * @param present whether the key holds a value
   * @param value the interned value id (-1 when absent)
   * @param version the last written version (kept across deletes), or its lower bound
   * @param exact whether {@code version} is exact or only a lower bound
   */
  record State(boolean present, int value, long version, boolean exact) {
    static final State INITIAL = new State(false, -1, 0, true);
  }

  /**
   * One operation in the checker's compact form.
   *
   * @param kind kind; put-if-absent is folded into cas with expected version 0
   * @param value interned value id (-1 = absent/none)
   * @param expected expected version for cas
   * @param known whether the outcome is known (false = unknown outcome)
   * @param applied the boolean result of delete/cas
   * @param version the observed version or -1
   */
  record Op(Kind kind, int value, long expected, boolean known, boolean applied, long version) {
    static Op of(Operation o, int valueId) {
      Kind k = o.kind() == Kind.PUT_IF_ABSENT ? Kind.CAS : o.kind();
      long expected = o.kind() == Kind.PUT_IF_ABSENT ? 0 : o.expectedVersion();
      boolean known = o.status() == Status.OK;
      return new Op(k, valueId, expected, known, o.applied(), known ? o.version() : -1);
    }
  }

  /** Writes {@code out[0..n)} with the successors of {@code s} under {@code op}; returns n. */
  static int step(State s, Op op, State[] out) {
    switch (op.kind()) {
      case GET:
        return get(s, op, out);
      case PUT:
        return write(s.version(), op, out, 0);
      case DELETE:
        if (op.known() && op.applied() != s.present()) {
          return 0;
        }
        out[0] = s.present() ? new State(false, -1, s.version(), s.exact()) : s;
        return 1;
      case CAS:
        return cas(s, op, out);
      default:
        throw new AssertionError(op.kind());
    }
  }

  private static int get(State s, Op op, State[] out) {
    if ((op.value() >= 0) != s.present()) {
      return 0;
    }
    if (!s.present()) {
      out[0] = s; // an absent key reads version 0; nothing else to compare
      return 1;
    }
    if (op.value() != s.value()) {
      return 0;
    }
    long seen = op.version();
    if (seen < 0) {
      out[0] = s;
      return 1;
    }
    if (s.exact()) {
      if (seen != s.version()) {
        return 0;
      }
      out[0] = s;
      return 1;
    }
    if (seen < s.version()) {
      return 0;
    }
    out[0] = new State(true, s.value(), seen, true);
    return 1;
  }

  /** A write on top of last version {@code prev} (exact or lower bound: the check is the same). */
  private static int write(long prev, Op op, State[] out, int at) {
    long v = op.version();
    if (v >= 0) {
      if (v <= prev) {
        return at;
      }
      out[at] = new State(true, op.value(), v, true);
    } else {
      out[at] = new State(true, op.value(), prev + 1, false);
    }
    return at + 1;
  }

  private static int cas(State s, Op op, State[] out) {
    boolean canMatch;
    boolean canMismatch;
    long prevForWrite;
    if (!s.present()) {
      canMatch = op.expected() == 0;
      canMismatch = !canMatch;
      prevForWrite = s.version();
    } else if (s.exact()) {
      canMatch = op.expected() == s.version();
      canMismatch = !canMatch;
      prevForWrite = s.version();
    } else {
      canMatch = op.expected() >= s.version();
      canMismatch = true;
      prevForWrite = op.expected(); // matching pins the current version to the expected one
    }
    int n = 0;
    if (canMatch && (!op.known() || op.applied())) {
      n = write(prevForWrite, op, out, n);
    }
    if (canMismatch && (!op.known() || !op.applied())) {
      out[n++] = s;
    }
    return n;
  }
}
