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
import java.util.Set;
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
 * operations, model state) pairs already explored prunes the search. The set of linearized
 * operations is hashed incrementally (Zobrist hashing: one random word per operation, XORed in and
 * out), and the memo keeps 96-bit fingerprints of the pairs rather than copies of the bitsets (see
 * {@link FingerprintSet}), so that exhaustive searches of non-linearizable histories fit in memory.
 * When unknown-outcome writes fall into classes of interchangeable operations, the memo compares
 * how many of each class were used instead, and prunes dominated configurations ({@link
 * DominanceMemo}).
 *
 * <p>Outcomes. Failed operations are left out (definitely not applied). Reads of unknown outcome
 * are left out (they change nothing and nothing was observed). Writes of unknown outcome have no
 * return event: they may be linearized anywhere after their call, and the search succeeds as soon
 * as every known operation is linearized, which is the same as placing the remaining unknown ones
 * at the end or never.
 *
 * <p>Ties: a call and a return at the same instant are treated as concurrent (calls sort first),
 * which can only accept more histories, never reject a linearizable one.
 *
 * <p>Thread-unsafe; create one per thread.
 */
public final class LinearizabilityChecker {
  /** The default budget of search steps per key before giving up with {@link Verdict#UNDECIDED}. */
  public static final long DEFAULT_MAX_STEPS_PER_KEY = 10_000_000L;

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
    /** The value id of every value that no completed get returned: they are indistinguishable. */
    private static final int UNOBSERVED = -2;

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
    private final long[] zobrist2;
    private final long[] returnAt; // return time of each operation as the search sees it
    private final int[] opClass; // interchangeable class of an unknown operation, or -1
    private final int[] classRank; // position of the operation within its class, by call order
    private final int[] classUsed; // how many of each class are linearized (always a prefix)
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
      kept.sort((a, b) -> Long.compare(a.callNanos(), b.callNanos())); // stable: index = call order
      this.n = kept.size();
      this.source = kept.toArray(new Operation[0]);
      Set<String> observed = new HashSet<>(); // values some completed get returned
      for (Operation o : source) {
        if (o.kind() == Kind.GET && o.value() != null) {
          observed.add(o.value());
        }
      }
      Map<String, Integer> ids = new HashMap<>();
      this.ops = new KvModel.Op[n];
      for (int i = 0; i < n; i++) {
        String v = source[i].value();
        int id = -1;
        if (v != null && !observed.contains(v)) {
          id = UNOBSERVED;
        } else if (v != null) {
          id =
              ids.computeIfAbsent(
                  v,
                  x -> {
                    values.add(x);
                    return values.size() - 1;
                  });
        }
        ops[i] = KvModel.Op.of(source[i], id);
      }
      this.returnAt = new long[n];
      for (int i = 0; i < n; i++) {
        returnAt[i] = source[i].returnNanos();
      }
      pinObservedUnknownWrites();
      this.opClass = new int[n];
      this.classRank = new int[n];
      List<int[]> members = classify();
      this.classUsed = new int[members.size()];
      this.head = 2 * n;
      this.next = new int[2 * n + 1];
      this.prev = new int[2 * n + 1];
      buildList();
      SplittableRandom r = new SplittableRandom(0x5eed_1234_abcdL);
      this.zobrist = new long[n];
      this.zobrist2 = new long[n];
      for (int i = 0; i < n; i++) {
        zobrist[i] = r.nextLong();
        zobrist2[i] = r.nextLong();
      }
    }

    /**
     * An unknown-outcome write whose value a completed get returned, and which is the only writer
     * of that value, must have taken effect, before that get did: it becomes a required operation
     * (it applied; its version is unknown) whose return is the earliest return of a get that saw
     * its value. Without this, every such write could also be left out, and the search would
     * consider both for each of them.
     */
    private void pinObservedUnknownWrites() {
      Map<Integer, Integer> writers = new HashMap<>();
      Map<Integer, Long> firstSeenReturn = new HashMap<>();
      for (int i = 0; i < n; i++) {
        KvModel.Op o = ops[i];
        if (o.kind() != Kind.GET && o.value() >= 0) {
          writers.merge(o.value(), 1, Integer::sum);
        } else if (o.kind() == Kind.GET && o.value() >= 0) {
          firstSeenReturn.merge(o.value(), returnAt[i], Math::min);
        }
      }
      for (int i = 0; i < n; i++) {
        KvModel.Op o = ops[i];
        if (!o.known()
            && o.kind() != Kind.DELETE
            && o.value() >= 0
            && writers.get(o.value()) == 1) {
          ops[i] = new KvModel.Op(o.kind(), o.value(), o.expected(), true, true, -1);
          returnAt[i] = firstSeenReturn.get(o.value());
        }
      }
    }

    /**
     * Groups unknown-outcome operations whose effects are indistinguishable: deletes; puts of
     * values no get returned; cas (and put-if-absent) of such values with the same expected
     * version. Within a class any valid linearization can use the members in call order (exchange
     * argument: the i-th earliest call is available wherever the i-th used member was), so the
     * search only tries the earliest unused member. This removes the 2^u blow-up of u
     * interchangeable unknown writes.
     */
    private List<int[]> classify() {
      Map<String, Integer> classes = new HashMap<>();
      List<int[]> sizes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        KvModel.Op o = ops[i];
        String name = null;
        if (!o.known()) {
          if (o.kind() == Kind.DELETE) {
            name = "delete";
          } else if (o.value() == UNOBSERVED) {
            name = o.kind() == Kind.PUT ? "put" : "cas " + o.expected();
          }
        }
        if (name == null) {
          opClass[i] = -1;
          continue;
        }
        Integer c = classes.get(name);
        if (c == null) {
          c = sizes.size();
          classes.put(name, c);
          sizes.add(new int[1]);
        }
        opClass[i] = c;
        classRank[i] = sizes.get(c)[0]++;
      }
      return sizes;
    }

    /** Whether the search may try {@code op} now (the earliest unused member of its class). */
    private boolean eligible(int op) {
      int c = opClass[op];
      return c < 0 || classUsed[c] == classRank[op];
    }

    private boolean known(int op) {
      return ops[op].known();
    }

    private void buildList() {
      List<long[]> events = new ArrayList<>(); // {time, order (0 = call, 1 = return), event id}
      for (int i = 0; i < n; i++) {
        events.add(new long[] {source[i].callNanos(), 0, i});
        if (known(i)) {
          events.add(new long[] {returnAt[i], 1, n + i});
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
      long bitsHash = 0;
      long bitsHash2 = 0;
      FingerprintSet memo = new FingerprintSet();
      DominanceMemo dominance = classUsed.length > 0 ? new DominanceMemo() : null;
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
          int count = eligible(op) ? KvModel.step(state, ops[op], out) : 0;
          boolean moved = false;
          for (int alt = startAlt; alt < count; alt++) {
            KvModel.State ns = out[alt];
            if (!known(op) && ns.equals(state)) {
              // An optional operation that changes nothing is never worth spending: the
              // configuration without it is this one, which the search explores anyway.
              continue;
            }
            // Class members are counted in classUsed, not hashed: the dominance memo compares
            // counts.
            boolean counted = opClass[op] >= 0;
            long h = counted ? bitsHash : bitsHash ^ zobrist[op];
            long h2 = counted ? bitsHash2 : bitsHash2 ^ zobrist2[op];
            long key = h ^ mix(ns, 0x51afd7ed558ccdL);
            int check = (int) (h2 ^ mix(ns, 0x4cf5ad432745937fL));
            boolean fresh;
            if (dominance == null) {
              fresh = memo.add(key, check);
            } else {
              if (counted) {
                classUsed[opClass[op]]++;
              }
              fresh = dominance.add(key, check, classUsed);
              if (counted) {
                classUsed[opClass[op]]--;
              }
            }
            if (fresh) {
              bitsHash = h;
              bitsHash2 = h2;
              stackOp[depth] = op;
              stackState[depth] = state;
              stackAlt[depth] = alt;
              depth++;
              if (known(op)) {
                knownLeft--;
              }
              if (opClass[op] >= 0) {
                classUsed[opClass[op]]++;
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
          if (opClass[op] < 0) {
            bitsHash ^= zobrist[op];
            bitsHash2 ^= zobrist2[op];
          }
          if (known(op)) {
            knownLeft++;
          }
          if (opClass[op] >= 0) {
            classUsed[opClass[op]]--;
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
      pending.sort((a, b) -> Long.compare(a.returnNanos(), b.returnNanos())); // as recorded
      for (int i = 0; i < Math.min(5, pending.size()); i++) {
        sb.append("\n    ").append(pending.get(i));
      }
      return sb.toString();
    }

    /** A 64-bit mix of a model state (SplitMix64's finalizer over its fields). */
    private static long mix(KvModel.State s, long salt) {
      long x = salt;
      x = fmix(x ^ s.version());
      x = fmix(x ^ (((long) s.value() << 2) | (s.present() ? 1 : 0) | (s.exact() ? 2 : 0)));
      return x;
    }

    private static long fmix(long z) {
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      return z ^ (z >>> 31);
    }

    private String describe(KvModel.State s) {
      String v =
          !s.present()
              ? "absent"
              : s.value() == UNOBSERVED ? "(a value no get returned)" : values.get(s.value());
      return v + ", version " + (s.exact() ? "" : ">= ") + s.version();
    }
  }
}
