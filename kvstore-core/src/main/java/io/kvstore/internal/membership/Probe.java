package io.kvstore.internal.membership;

import io.kvstore.NodeId;
import io.kvstore.spi.Endpoint;

/**
 * One probe in progress (SWIM §4): a ping, then ping-reqs and the TCP fallback after the probe
 * timeout, until the end of the protocol period. Thread-unsafe.
 */
final class Probe {
  final long seq;
  final NodeId target;
  final Endpoint address;
  long timeoutNanos;
  long endNanos;
  boolean indirectSent;
  int expectedNacks;
  int nacks;

  Probe(long seq, NodeId target, Endpoint address, long timeoutNanos, long endNanos) {
    this.seq = seq;
    this.target = target;
    this.address = address;
    this.timeoutNanos = timeoutNanos;
    this.endNanos = endNanos;
  }

  /** Whether {@code seq} (with or without the stream bit) answers this probe from its target. */
  boolean answeredBy(long ackSeq, NodeId source) {
    return (ackSeq & ~SwimCore.STREAM_SEQ_BIT) == seq && target.equals(source);
  }

  /** Moves the deadlines later (this process was stalled). */
  void postpone(long nanos) {
    timeoutNanos += nanos;
    endNanos += nanos;
  }

  /** Lifeguard: each helper that did not even nack hints at trouble on our side. */
  int awarenessPenalty() {
    return expectedNacks > 0 ? Math.max(0, expectedNacks - nacks) : 1;
  }
}
