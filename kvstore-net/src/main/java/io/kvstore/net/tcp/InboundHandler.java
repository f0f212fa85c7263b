package io.kvstore.net.tcp;

import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the messages of an accepted connection after its handshake, as sent by {@code from} (the
 * sender's advertised endpoint from its Hello, not the connection's source port). An envelope of
 * another cluster or version, or one that is not a valid message, is a protocol violation: the
 * connection is closed and the drop counted. Decoding runs on the I/O thread; the inbound callback
 * must not block.
 *
 * <p>Bound to one peer: not sharable.
 */
final class InboundHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "inbound";
  private static final Logger log = LoggerFactory.getLogger(InboundHandler.class);

  private final TransportContext ctx;
  private final Endpoint from;
  /** The peer's address as text, computed once per connection (it is only used in logs). */
  private String source;

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
      if (!ctx.acceptHeader(envelope, source)
          || !ctx.deliver(from, envelope, Counter.TCP_MESSAGES_IN)) {
        c.close();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    TcpErrors.closeOnError(c, cause, ctx.metrics(), log);
  }
}
