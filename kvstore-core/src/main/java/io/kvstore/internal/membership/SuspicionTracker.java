package io.kvstore.internal.membership;

import io.kvstore.NodeId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Lifeguard suspicion timers (LHA-Suspicion, memberlist suspicion.go). A suspicion starts at the
 * maximum timeout and shrinks as independent confirmations arrive:
 *
 * <pre>timeout = max(min, max − (max − min) · log(C + 1) / log(k + 1))</pre>
 *
 * where C is the number of confirmations so far and k the number expected. With k confirmations
 * the timeout is the minimum; without any, the suspect gets the maximum time to refute.
 * Thread-unsafe.
 */
final class SuspicionTracker {
  /** One running suspicion. */
  static final class Suspicion {
    final NodeId suspect;
    final long incarnation;
    long startNanos;
    final long minNanos;
    final long maxNanos;
    final int expectedConfirmations;
    /** Every member that accused the suspect, the first accuser included. */
    final TreeSet<NodeId> accusers = new TreeSet<>();
    boolean firstAccuserKnown;

    Suspicion(NodeId suspect, long incarnation, long startNanos, long minNanos, long maxNanos,
        int k) {
      this.suspect = suspect;
      this.incarnation = incarnation;
      this.startNanos = startNanos;
      this.minNanos = minNanos;
      this.maxNanos = maxNanos;
      this.expectedConfirmations = k;
    }

    long timeoutNanos() {
      return SuspicionTracker.timeoutNanos(
          confirmations(), expectedConfirmations, minNanos, maxNanos);
    }

    /** Independent confirmations after the first accusation. */
    int confirmations() {
      return Math.max(0, accusers.size() - (firstAccuserKnown ? 1 : 0));
    }

    long deadlineNanos() {
      return startNanos + timeoutNanos();
    }
  }

  private final Map<NodeId, Suspicion> suspicions = new LinkedHashMap<>();

  /** Lifeguard's formula; exposed for tests. */
  static long timeoutNanos(int confirmations, int k, long minNanos, long maxNanos) {
    if (k < 1) {
      return minNanos;
    }
    double frac = Math.log(confirmations + 1.0) / Math.log(k + 1.0);
    long raw = (long) Math.floor(maxNanos - frac * (maxNanos - minNanos));
    return Math.max(minNanos, raw);
  }

  /** Minimum timeout: {@code mult · log10(max(n, 1)) · interval}, at least one interval. */
  static long minTimeoutNanos(int mult, int n, long probeIntervalNanos) {
    double scale = Math.max(1.0, Math.log10(Math.max(1, n)));
    return (long) (mult * scale * probeIntervalNanos);
  }

  /** Starts a suspicion unless one is running; returns whether it started. */
  boolean start(NodeId suspect, long incarnation, NodeId accuser, long nowNanos, long minNanos,
      long maxNanos, int k) {
    Suspicion s = suspicions.get(suspect);
    if (s != null) {
      return false;
    }
    s = new Suspicion(suspect, incarnation, nowNanos, minNanos, maxNanos, k);
    if (accuser != null) {
      s.accusers.add(accuser);
      s.firstAccuserKnown = true;
    }
    suspicions.put(suspect, s);
    return true;
  }

  /**
   * Records an independent confirmation from {@code confirmer}; returns whether it was new (a
   * repeated accuser does not shrink the timeout again).
   */
  boolean confirm(NodeId suspect, NodeId confirmer) {
    Suspicion s = suspicions.get(suspect);
    if (s == null || confirmer == null || s.confirmations() >= s.expectedConfirmations) {
      return false;
    }
    return s.accusers.add(confirmer);
  }

  Suspicion get(NodeId suspect) {
    return suspicions.get(suspect);
  }

  void cancel(NodeId suspect) {
    suspicions.remove(suspect);
  }

  /** Moves every suspicion's start later by {@code nanos} (this process was stalled). */
  void postpone(long nanos) {
    for (Suspicion s : suspicions.values()) {
      s.startNanos += nanos;
    }
  }

  /** Removes and returns the suspicions whose deadline passed, in start order. */
  List<Suspicion> expired(long nowNanos) {
    List<Suspicion> out = new ArrayList<>();
    for (Suspicion s : suspicions.values()) {
      if (nowNanos >= s.deadlineNanos()) {
        out.add(s);
      }
    }
    for (Suspicion s : out) {
      suspicions.remove(s.suspect);
    }
    return out;
  }

  int size() {
    return suspicions.size();
  }
}
