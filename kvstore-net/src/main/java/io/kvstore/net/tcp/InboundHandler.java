package io.kvstore.net.tcp;

import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the messages of an accepted connection after its handshake, as sent by {@code from} (the
 * sender's advertised endpoint from its Hello, not the connection's source port). An envelope of
 * another cluster or version, or one that is not a valid message, is a protocol violation: the
 * connection is closed and the drop counted. Decoding runs on the I/O thread; the inbound callback
 * must not block.
 *
 * <p>Messages are decoded as their frames arrive and handed to the inbound callback together when
 * the socket read that carried them completes: the receiver gets a read's messages as one burst
 * (one hand-off to its own thread instead of one per message), in order.
 *
 * <p>Bound to one peer: not sharable.
 */
final class InboundHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "inbound";
  private static final Logger log = LoggerFactory.getLogger(InboundHandler.class);
  /** The most messages held back for one burst. */
  private static final int MAX_BATCH = 256;

  private final TransportContext ctx;
  private final Endpoint from;
  /** The peer's address as text, computed once per connection (it is only used in logs). */
  private String source;
  /** Decoded messages of the current socket read, not yet delivered. */
  private final ArrayList<Message> batch = new ArrayList<>();

  InboundHandler(TransportContext ctx, Endpoint from) {
    this.ctx = ctx;
    this.from = from;
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    try {
      if (!(msg instanceof Envelope envelope)) {
        return;
      }
      if (source == null) {
        source = TcpErrors.host(c.channel().remoteAddress());
      }
      Message m = ctx.acceptHeader(envelope, source)
          ? ctx.decode(from, envelope, Counter.TCP_MESSAGES_IN)
          : null;
      if (m == null) {
        deliverBatch(); // what came before the violation was valid
        c.close();
        return;
      }
      batch.add(m);
      if (batch.size() >= MAX_BATCH) {
        deliverBatch();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext c) {
    deliverBatch();
    c.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) {
    deliverBatch();
    c.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext c) {
    deliverBatch();
  }

  private void deliverBatch() {
    int n = batch.size();
    if (n == 0) {
      return;
    }
    for (int i = 0; i < n; i++) {
      ctx.deliver(from, batch.get(i));
    }
    batch.clear();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    TcpErrors.closeOnError(c, cause, ctx.metrics(), log);
  }
}
