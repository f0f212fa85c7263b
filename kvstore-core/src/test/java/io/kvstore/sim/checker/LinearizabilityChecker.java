package io.kvstore.sim.checker;

import io.kvstore.sim.Operation;
import io.kvstore.sim.Operation.Kind;
import io.kvstore.sim.Operation.Status;
import io.kvstore.sim.checker.CheckResult.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Checks a history of key-value operations for linearizability against {@link KvModel}.
 *
 * <p>Keys are independent registers, so each key is checked on its own (P-compositionality, Herlihy
 * and Wing): the history is linearizable iff every key's sub-history is. Per key, the search is the
 * one of Wing and Gong with Lowe's memoisation, as in Knossos and Porcupine: the call and return
 * events sorted by time form a doubly linked list; a depth-first search repeatedly picks a pending
 * call, applies it to the model and removes ("lifts") its call and return from the list, and
 * backtracks when it meets a return whose operation it has not linearized yet. A set of (linearized
 * operations, model state) pairs already explored prunes the search; the bitset's hash is kept
 * incrementally (Zobrist hashing) so a lookup costs one state hash plus, on collision, one bitset
 * compare.
 *
 * <p>Outcomes. Failed operations are left out (definitely not applied). Reads of unknown outcome are
 * left out (they change nothing and nothing was observed). Writes of unknown outcome have no return
 * event: they may be linearized anywhere after their call, and the search succeeds as soon as every
 * known operation is linearized, which is the same as placing the remaining unknown ones at the end
 * or never.
 *
 * <p>Ties: a call and a return at the same instant are treated as concurrent (calls sort first),
 * which can only accept more histories, never reject a linearizable one.
 *
 * <p>Thread-unsafe; create one per thread.
 */
public final class LinearizabilityChecker {
  /** The default budget of search steps per key before giving up with {@link Verdict#UNDECIDED}. */
  public static final long DEFAULT_MAX_STEPS_PER_KEY = 50_000_000L;

  private final long maxStepsPerKey;

  /** A checker with the default search budget. */
  public LinearizabilityChecker() {
    this(DEFAULT_MAX_STEPS_PER_KEY);
  }

  /** A checker that gives up on a key after {@code maxStepsPerKey} search steps. */
  public LinearizabilityChecker(long maxStepsPerKey) {
    if (maxStepsPerKey <= 0) {
      throw new IllegalArgumentException("maxStepsPerKey must be positive");
    }
    this.maxStepsPerKey = maxStepsPerKey;
  }

  /** Checks every key of {@code history}. */
  public CheckResult check(Collection<Operation> history) {
    Map<String, List<Operation>> byKey = new TreeMap<>();
    for (Operation op : history) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    Verdict verdict = Verdict.LINEARIZABLE;
    List<String> explanations = new ArrayList<>();
    long steps = 0;
    int ops = 0;
    for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
      KeySearch search = new KeySearch(e.getKey(), e.getValue(), maxStepsPerKey);
      Verdict v = search.run();
      steps += search.steps;
      ops += search.n;
      if (v != Verdict.LINEARIZABLE) {
        explanations.add(search.explain(v));
        if (verdict != Verdict.NOT_LINEARIZABLE) {
          verdict = v;
        }
      }
    }
    return new CheckResult(verdict, byKey.size(), ops, steps, explanations);
  }

  /** The search over one key's operations. */
  private static final class KeySearch {
    private final String key;
    private final Operation[] source;
    private final KvModel.Op[] ops;
    private final int n;
    private final long maxSteps;
    private final List<String> values = new ArrayList<>();
    // Events: 0..n-1 are calls of op i, n..2n-1 are returns of op i-n; 2n is the head sentinel.
    private final int[] next;
    private final int[] prev;
    private final int head;
    private final long[] zobrist;
    private long steps;
    private int[] deepest = new int[0];
    private KvModel.State deepestState = KvModel.State.INITIAL;

    KeySearch(String key, List<Operation> all, long maxSteps) {
      this.key = key;
      this.maxSteps = maxSteps;
      List<Operation> kept = new ArrayList<>();
      for (Operation o : all) {
        boolean unknownRead = o.kind() == Kind.GET && o.status() != Status.OK;
        if (o.status() != Status.FAIL && !unknownRead) {
          kept.add(o);
        }
      }
      this.n = kept.size();
      this.source = kept.toArray(new Operation[0]);
      Map<String, Integer> ids = new HashMap<>();
      this.ops = new KvModel.Op[n];
      for (int i = 0; i < n; i++) {
        String v = source[i].value();
        int id = -1;
        if (v != null) {
          id = ids.computeIfAbsent(v, x -> {
            values.add(x);
            return values.size() - 1;
          });
        }
        ops[i] = KvModel.Op.of(source[i], id);
      }
      this.head = 2 * n;
      this.next = new int[2 * n + 1];
      this.prev = new int[2 * n + 1];
      buildList();
      SplittableRandom r = new SplittableRandom(0x5eed_1234_abcdL);
      this.zobrist = new long[n];
      for (int i = 0; i < n; i++) {
        zobrist[i] = r.nextLong();
      }
    }

    private boolean known(int op) {
      return ops[op].known();
    }

    private void buildList() {
      List<long[]> events = new ArrayList<>(); // {time, order (0 = call, 1 = return), event id}
      for (int i = 0; i < n; i++) {
        events.add(new long[] {source[i].callNanos(), 0, i});
        if (known(i)) {
          events.add(new long[] {source[i].returnNanos(), 1, n + i});
        }
      }
      events.sort(
          (a, b) -> {
            int c = Long.compare(a[0], b[0]);
            if (c != 0) {
              return c;
            }
            c = Long.compare(a[1], b[1]);
            return c != 0 ? c : Long.compare(a[2], b[2]);
          });
      int last = head;
      for (long[] e : events) {
        int id = (int) e[2];
        next[last] = id;
        prev[id] = last;
        last = id;
      }
      next[last] = -1;
    }

    private void remove(int e) {
      int p = prev[e];
      int nx = next[e];
      next[p] = nx;
      if (nx >= 0) {
        prev[nx] = p;
      }
    }

    private void reinsert(int e) {
      int p = prev[e];
      int nx = next[e];
      next[p] = e;
      if (nx >= 0) {
        prev[nx] = e;
      }
    }

    private void lift(int op) {
      remove(op);
      if (known(op)) {
        remove(n + op);
      }
    }

    private void unlift(int op) {
      if (known(op)) {
        reinsert(n + op);
      }
      reinsert(op);
    }

    Verdict run() {
      int knownLeft = 0;
      for (int i = 0; i < n; i++) {
        if (known(i)) {
          knownLeft++;
        }
      }
      long[] bits = new long[(n + 63) / 64 + 1];
      long bitsHash = 0;
      HashSet<Memo> memo = new HashSet<>();
      int[] stackOp = new int[n];
      KvModel.State[] stackState = new KvModel.State[n];
      int[] stackAlt = new int[n];
      int depth = 0;
      KvModel.State state = KvModel.State.INITIAL;
      KvModel.State[] out = new KvModel.State[2];
      int cur = next[head];
      int startAlt = 0;
      while (knownLeft > 0) {
        if (++steps > maxSteps) {
          return Verdict.UNDECIDED;
        }
        if (cur >= 0 && cur < n) {
          int op = cur;
          int count = KvModel.step(state, ops[op], out);
          boolean moved = false;
          for (int alt = startAlt; alt < count; alt++) {
            KvModel.State ns = out[alt];
            long h = bitsHash ^ zobrist[op];
            bits[op >>> 6] |= 1L << op;
            Memo probe = new Memo(h, bits, ns);
            if (!memo.contains(probe)) {
              memo.add(new Memo(h, bits.clone(), ns));
              bitsHash = h;
              stackOp[depth] = op;
              stackState[depth] = state;
              stackAlt[depth] = alt;
              depth++;
              if (known(op)) {
                knownLeft--;
              }
              lift(op);
              state = ns;
              if (depth > deepest.length) {
                deepest = Arrays.copyOf(stackOp, depth);
                deepestState = state;
              }
              moved = true;
              break;
            }
            bits[op >>> 6] &= ~(1L << op);
          }
          startAlt = 0;
          cur = moved ? next[head] : next[cur];
        } else {
          // A return of an operation not linearized yet, or the end of the list: backtrack.
          if (depth == 0) {
            return Verdict.NOT_LINEARIZABLE;
          }
          depth--;
          int op = stackOp[depth];
          state = stackState[depth];
          startAlt = stackAlt[depth] + 1;
          bits[op >>> 6] &= ~(1L << op);
          bitsHash ^= zobrist[op];
          if (known(op)) {
            knownLeft++;
          }
          unlift(op);
          cur = op; // retry the same call with its next alternative successor, then move on
        }
      }
      return Verdict.LINEARIZABLE;
    }

    String explain(Verdict v) {
      StringBuilder sb = new StringBuilder();
      sb.append("key '").append(key).append("': ");
      if (v == Verdict.UNDECIDED) {
        sb.append("undecided after ").append(steps).append(" steps");
        return sb.toString();
      }
      sb.append("not linearizable (").append(n).append(" operations); the longest linearizable ");
      sb.append("prefix found has ").append(deepest.length).append(" operations");
      int from = Math.max(0, deepest.length - 8);
      if (from > 0) {
        sb.append(", ending with");
      }
      sb.append(":");
      for (int i = from; i < deepest.length; i++) {
        sb.append("\n    ").append(source[deepest[i]]);
      }
      sb.append("\n  model state then: ").append(describe(deepestState));
      sb.append("\n  operations that could not be linearized next (earliest returns first):");
      boolean[] done = new boolean[n];
      for (int i : deepest) {
        done[i] = true;
      }
      List<Operation> pending = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!done[i] && known(i)) {
          pending.add(source[i]);
        }
      }
      pending.sort((a, b) -> Long.compare(a.returnNanos(), b.returnNanos()));
      for (int i = 0; i < Math.min(5, pending.size()); i++) {
        sb.append("\n    ").append(pending.get(i));
      }
      return sb.toString();
    }

    private String describe(KvModel.State s) {
      String v = s.present() ? values.get(s.value()) : "absent";
      return v + ", version " + (s.exact() ? "" : ">= ") + s.version();
    }
  }

  /** A memo entry: the set of linearized operations and the model state after them. */
  private static final class Memo {
    private final long bitsHash;
    private final long[] bits;
    private final KvModel.State state;
    private final int hash;

    Memo(long bitsHash, long[] bits, KvModel.State state) {
      this.bitsHash = bitsHash;
      this.bits = bits;
      this.state = state;
      this.hash = Long.hashCode(bitsHash * 31 + state.hashCode());
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Memo m
          && m.bitsHash == bitsHash
          && m.state.equals(state)
          && Arrays.equals(m.bits, bits);
    }
  }
}
