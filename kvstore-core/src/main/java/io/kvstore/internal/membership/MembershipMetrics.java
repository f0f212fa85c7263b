package io.kvstore.internal.membership;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Monotonic membership counters. Written by the core's loop, readable from any thread.
 */
public final class MembershipMetrics {
  /** The counters. */
  public enum Counter {
    /** Direct probes (pings) started by this node. */
    PROBES,
    /** Probes answered by an ack (directly, relayed, or over the stream fallback). */
    ACKS,
    /** Probes that ended without an ack. */
    PROBES_FAILED,
    /** Ping-reqs sent to helpers. */
    PING_REQS,
    /** Pings sent over the stream as Lifeguard-style TCP fallback. */
    STREAM_PROBES,
    /** Nacks received from helpers. */
    NACKS,
    /** Suspicions this node raised after a failed probe. */
    SUSPICIONS_RAISED,
    /** Suspect members this node saw become alive again (the suspect refuted). */
    SUSPICIONS_REFUTED,
    /** Times this node refuted a suspicion or death claim about itself. */
    SELF_REFUTATIONS,
    /** Members this node declared dead. */
    DEATHS_DECLARED,
    /** Push-pull exchanges started. */
    PUSH_PULLS,
    /** Stalls of this process detected between ticks. */
    PAUSES,
    /** Messages handed to the transport. */
    PACKETS_OUT,
    /** Messages received. */
    PACKETS_IN,
    /** Messages received but dropped (unknown, stale, for another identity, after leave). */
    PACKETS_DROPPED,
    /** Estimated encoded bytes sent. */
    BYTES_OUT,
    /** Estimated encoded bytes received. */
    BYTES_IN;

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final AtomicLongArray values = new AtomicLongArray(Counter.values().length);

  void inc(Counter c) {
    values.incrementAndGet(c.ordinal());
  }

  void add(Counter c, long delta) {
    values.addAndGet(c.ordinal(), delta);
  }

  /** The current value of {@code c}. */
  public long get(Counter c) {
    return values.get(c.ordinal());
  }

  /** All counters, in declaration order, keyed by lower-case name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Counter c : Counter.values()) {
      out.put(c.key(), get(c));
    }
    return out;
  }

  /** All counters as an enum map. */
  public EnumMap<Counter, Long> asEnumMap() {
    EnumMap<Counter, Long> out = new EnumMap<>(Counter.class);
    for (Counter c : Counter.values()) {
      out.put(c, get(c));
    }
    return out;
  }
}
