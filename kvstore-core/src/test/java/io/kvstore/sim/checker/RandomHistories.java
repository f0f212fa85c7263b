package io.kvstore.sim.checker;

import io.kvstore.sim.Operation;
import io.kvstore.sim.Operation.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random single-key histories for checker tests: a correct concurrent execution of a register
 * (operations take effect at random instants between call and return), then optionally corrupted (a
 * changed read, version or result) and with some outcomes turned unknown or failed. About half of
 * the corrupted ones stay linearizable by chance, which is what the cross-checks need.
 */
final class RandomHistories {
  private RandomHistories() {}

  /**
   * A history of {@code size} operations by {@code concurrency} processes on key "k".
   *
   * @param corrupt whether to corrupt one operation's result
   * @param unknownPercent chance in percent that an operation's outcome is unknown
   */
  static List<Operation> generate(
      SplittableRandom r, int size, int concurrency, boolean corrupt, int unknownPercent) {
    return generate(r, size, concurrency, corrupt, unknownPercent, 3);
  }

  /** As above, with {@code failPercent} chance that an operation is marked failed. */
  static List<Operation> generate(
      SplittableRandom r,
      int size,
      int concurrency,
      boolean corrupt,
      int unknownPercent,
      int failPercent) {
    long[] free = new long[concurrency]; // when each process may call next
    List<long[]> plan = new ArrayList<>(); // {process, call, point, return}
    for (int i = 0; i < size; i++) {
      int p = r.nextInt(concurrency);
      long call = free[p] + 1 + r.nextInt(20);
      long point = call + r.nextInt(30);
      long ret = point + r.nextInt(30);
      free[p] = ret;
      plan.add(new long[] {p, call, point, ret});
    }
    plan.sort((a, b) -> Long.compare(a[2], b[2])); // linearization order = effect instants
    boolean present = false;
    String value = null;
    long version = 0;
    List<Operation> out = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      long[] t = plan.get(i);
      int p = (int) t[0];
      String v = "v" + i;
      int kind = r.nextInt(10);
      Operation op;
      if (kind < 3) {
        op = Operation.get(p, "k", present ? value : null, present ? version : 0, t[1], t[3]);
      } else if (kind < 6) {
        version += 1 + r.nextInt(2);
        op = Operation.put(p, "k", v, version, t[1], t[3]);
        present = true;
        value = v;
      } else if (kind < 7) {
        op = Operation.delete(p, "k", present, t[1], t[3]);
        present = false;
        value = null;
      } else if (kind < 9) {
        long current = present ? version : 0;
        long expected = r.nextInt(3) == 0 ? r.nextLong(0, version + 2) : current;
        boolean match = expected == current;
        long nv = Operation.UNKNOWN_VERSION;
        if (match) {
          version += 1 + r.nextInt(2);
          nv = version;
          present = true;
          value = v;
        }
        op = Operation.cas(p, "k", expected, v, match, nv, t[1], t[3]);
      } else {
        boolean match = !present;
        long nv = Operation.UNKNOWN_VERSION;
        if (match) {
          version += 1 + r.nextInt(2);
          nv = version;
          present = true;
          value = v;
        }
        op = Operation.putIfAbsent(p, "k", v, match, nv, t[1], t[3]);
      }
      if (r.nextInt(100) < unknownPercent) {
        op = op.unknown();
      } else if (r.nextInt(100) < failPercent) {
        op = op.failed();
      }
      out.add(op);
    }
    if (corrupt && !out.isEmpty()) {
      int i = r.nextInt(out.size());
      out.set(i, corruptOne(r, out.get(i), out));
    }
    out.sort((a, b) -> Long.compare(a.callNanos(), b.callNanos()));
    return out;
  }

  private static Operation corruptOne(SplittableRandom r, Operation o, List<Operation> all) {
    switch (r.nextInt(4)) {
      case 0:
        {
          // Read some other value of the history (or absent).
          Operation other = all.get(r.nextInt(all.size()));
          String v = r.nextBoolean() ? null : other.value();
          long ver = v == null ? 0 : other.version();
          return Operation.get(o.process(), o.key(), v, ver, o.callNanos(), o.returnNanos());
        }
      case 1:
        {
          long ver = Math.max(Operation.UNKNOWN_VERSION, o.version() + (r.nextBoolean() ? 1 : -1));
          return new Operation(
              o.process(),
              o.kind(),
              o.key(),
              o.value(),
              o.expectedVersion(),
              o.status(),
              o.applied(),
              o.kind() == Kind.DELETE ? o.version() : ver,
              o.callNanos(),
              o.returnNanos());
        }
      case 2:
        return new Operation(
            o.process(),
            o.kind(),
            o.key(),
            o.value(),
            o.expectedVersion(),
            o.status(),
            !o.applied(),
            o.version(),
            o.callNanos(),
            o.returnNanos());
      default:
        {
          // Move the operation later in time, after everything else.
          long shift = 200 + r.nextInt(200);
          return new Operation(
              o.process() + 1000,
              o.kind(),
              o.key(),
              o.value(),
              o.expectedVersion(),
              o.status(),
              o.applied(),
              o.version(),
              o.callNanos() + shift,
              o.returnNanos() + shift);
        }
    }
  }
}
