package io.kvstore.net;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * Counters of one {@link NettyTransport}: traffic per channel type, packets dropped by reason,
 * connections and handshakes. Every counter only grows. Thread-safe: updated by the I/O threads and
 * by senders, read by anyone. Applications read them with {@link #get} or {@link #snapshot}; the
 * mutators are public only so that the transport's handler packages can reach them.
 */
public final class TransportMetrics {
  /** What is counted. */
  public enum Counter {
    /** Messages received over TCP, after the handshake. */
    TCP_MESSAGES_IN,
    /** Frame bytes received over TCP, length prefixes included. */
    TCP_BYTES_IN,
    /** Envelopes written to TCP connections, handshakes included. */
    TCP_MESSAGES_OUT,
    /** Frame bytes written to TCP connections, length prefixes included. */
    TCP_BYTES_OUT,
    /** Messages received in datagrams. */
    UDP_MESSAGES_IN,
    /** Datagram bytes received, valid or not. */
    UDP_BYTES_IN,
    /** Datagrams written. */
    UDP_MESSAGES_OUT,
    /** Datagram bytes written. */
    UDP_BYTES_OUT,
    /** Datagram sends larger than the datagram limit, sent over TCP instead. */
    DATAGRAM_FALLBACKS,
    /** Envelopes of another cluster (a refused Hello counts here and in HANDSHAKE_FAILURES). */
    DROPPED_WRONG_CLUSTER,
    /** Envelopes of an unsupported protocol version (a refused Hello counts here too). */
    DROPPED_WRONG_VERSION,
    /**
     * Packets that are not a valid envelope or message: unparsable, truncated, a corrupt length
     * prefix, an empty or unknown body, a message out of place.
     */
    DROPPED_GARBAGE,
    /** Inbound frames whose length prefix exceeds the frame limit; outbound messages larger. */
    DROPPED_OVERSIZE,
    /** Outbound messages refused because a peer's queue or socket buffer was full. */
    DROPPED_QUEUE_OVERFLOW,
    /** Outbound messages discarded because their peer's connection failed, or on close. */
    DROPPED_UNREACHABLE,
    /** Outbound TCP connections established (before the handshake). */
    CONNECTIONS_OPENED,
    /** Inbound TCP connections accepted. */
    CONNECTIONS_ACCEPTED,
    /** TCP connections closed, both directions. */
    CONNECTIONS_CLOSED,
    /** Handshakes refused by this node or by the peer, or timed out. */
    HANDSHAKE_FAILURES,
    /** Received messages whose delivery to the inbound callback threw. */
    DELIVERY_FAILURES
  }

  /** At most this many distinct (kind, source) pairs are remembered for one-time logging. */
  private static final int MAX_LOGGED_SOURCES = 1024;

  private final LongAdder[] counters = new LongAdder[Counter.values().length];
  private final Map<String, Boolean> loggedSources = new ConcurrentHashMap<>();

  /** Creates zeroed counters. */
  public TransportMetrics() {
    for (int i = 0; i < counters.length; i++) {
      counters[i] = new LongAdder();
    }
  }

  /** The current value of {@code counter}. */
  public long get(Counter counter) {
    return counters[counter.ordinal()].sum();
  }

  /** Every counter, in declaration order. */
  public Map<Counter, Long> snapshot() {
    Map<Counter, Long> m = new EnumMap<>(Counter.class);
    for (Counter c : Counter.values()) {
      m.put(c, get(c));
    }
    return m;
  }

  /** Adds one to {@code counter}. */
  public void increment(Counter counter) {
    counters[counter.ordinal()].increment();
  }

  /** Adds {@code delta} to {@code counter}. */
  public void add(Counter counter, long delta) {
    counters[counter.ordinal()].add(delta);
  }

  /**
   * Logs {@code message} at warn level only the first time {@code kind} happens for {@code source},
   * so that a misconfigured peer produces one line, not one per packet.
   */
  public void warnOnce(Logger log, String kind, String source, String message) {
    if (loggedSources.size() >= MAX_LOGGED_SOURCES) {
      return; // bounded memory: past this many sources, stay quiet rather than grow
    }
    if (loggedSources.putIfAbsent(kind + '|' + source, Boolean.TRUE) == null) {
      log.warn("{} (source {}; logged once per source)", message, source);
    }
  }

  @Override
  public String toString() {
    return "TransportMetrics" + snapshot();
  }
}
