package io.kvstore.internal.membership;

import io.kvstore.NodeId;
import io.kvstore.spi.Endpoint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pings this node sends as a ping-req helper, keyed by its own sequence number, bounded. A relay
 * ends with the target's ack (relayed to the requester) or, at its nack deadline, with a nack
 * (Lifeguard). Thread-unsafe.
 */
final class Relays {
  /** One relayed probe. */
  static final class Relay {
    final Endpoint requester;
    final long requesterSeq;
    final NodeId target;
    long nackNanos;

    Relay(Endpoint requester, long requesterSeq, NodeId target, long nackNanos) {
      this.requester = requester;
      this.requesterSeq = requesterSeq;
      this.target = target;
      this.nackNanos = nackNanos;
    }
  }

  private final int max;
  private final Map<Long, Relay> relays = new LinkedHashMap<>();

  Relays(int max) {
    this.max = max;
  }

  boolean full() {
    return relays.size() >= max;
  }

  void add(long seq, Relay relay) {
    relays.put(seq, relay);
  }

  /** Removes and returns the relay that {@code source}'s ack with {@code seq} answers, if any. */
  Relay answer(long seq, NodeId source) {
    Relay r = relays.get(seq);
    if (r == null || !r.target.equals(source)) {
      return null;
    }
    return relays.remove(seq);
  }

  /** Removes and returns relays whose nack deadline passed, oldest first. */
  List<Relay> expired(long nowNanos) {
    List<Relay> out = new ArrayList<>();
    Iterator<Relay> it = relays.values().iterator();
    while (it.hasNext()) {
      Relay r = it.next();
      if (nowNanos >= r.nackNanos) {
        it.remove();
        out.add(r);
      }
    }
    return out;
  }

  void postpone(long nanos) {
    for (Relay r : relays.values()) {
      r.nackNanos += nanos;
    }
  }
}
