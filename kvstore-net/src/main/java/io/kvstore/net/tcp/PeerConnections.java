package io.kvstore.net.tcp;

import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outbound TCP connections of one transport: one per peer endpoint, each pinned to one event
 * loop of the group, connected lazily and reconnected with exponential backoff (see {@link
 * PeerConnection}). Thread-safe.
 */
public final class PeerConnections implements AutoCloseable {
  private final EventLoopGroup group;
  private final TransportContext ctx;
  private final ConcurrentHashMap<Endpoint, PeerConnection> peers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Creates the pool; it connects nothing until the first send. */
  public PeerConnections(EventLoopGroup group, TransportContext ctx) {
    this.group = group;
    this.ctx = ctx;
  }

  /**
   * Sends {@code envelope} (header and body set; the request id is assigned per connection) to
   * {@code to} over its stream, in the order of calls from any one thread. Never blocks; may drop.
   */
  public void send(Endpoint to, Envelope.Builder envelope) {
    if (closed) {
      ctx.metrics().increment(Counter.DROPPED_UNREACHABLE);
      return;
    }
    peers.computeIfAbsent(to, p -> new PeerConnection(p, group.next(), ctx)).send(envelope);
  }

  /** Closes every connection; later sends are dropped. Does not wait. */
  @Override
  public void close() {
    closed = true;
    for (PeerConnection p : peers.values()) {
      p.close();
    }
  }
}
