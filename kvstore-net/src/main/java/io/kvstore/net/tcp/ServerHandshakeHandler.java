package io.kvstore.net.tcp;

import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.codec.EnvelopeHeaders;
import io.kvstore.net.codec.ProtoDecodeException;
import io.kvstore.net.codec.ProtocolVersion;
import io.kvstore.net.proto.Envelope;
import io.kvstore.net.proto.Hello;
import io.kvstore.net.proto.HelloReply;
import io.kvstore.spi.Endpoint;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server half of the handshake. The first envelope on an accepted connection must be a Hello of
 * this cluster with an overlapping version range, within the connect timeout. Then the server
 * answers with an accepting HelloReply and replaces this handler with an {@link InboundHandler}
 * bound to the Hello's sender. Otherwise it answers with a refusing HelloReply (wrong cluster or
 * version) or nothing (garbage, timeout), closes, counts, and logs once per source host.
 *
 * <p>Keeps per-connection state: not sharable.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "serverHandshake";
  private static final Logger log = LoggerFactory.getLogger(ServerHandshakeHandler.class);

  private final TransportContext ctx;
  private ScheduledFuture<?> timeout;
  private boolean done;

  ServerHandshakeHandler(TransportContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext c) {
    long millis = ctx.config().connectTimeout().toMillis();
    timeout =
        c.executor()
            .schedule(
                () -> {
                  if (!done) {
                    done = true;
                    ctx.metrics().increment(Counter.HANDSHAKE_FAILURES);
                    log.debug(
                        "no Hello from {} within {} ms; closing",
                        c.channel().remoteAddress(),
                        millis);
                    c.close();
                  }
                },
                millis,
                TimeUnit.MILLISECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext c) {
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    try {
      if (done) {
        return; // refused already; the channel is closing
      }
      if (!(msg instanceof Envelope envelope)) {
        return;
      }
      handshake(c, envelope);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void handshake(ChannelHandlerContext c, Envelope envelope) {
    done = true;
    if (ctx.local() == null) {
      c.close(); // still binding: the advertised endpoint is not known yet
      return;
    }
    String source = TcpErrors.host(c.channel().remoteAddress());
    Counter drop = EnvelopeHeaders.check(envelope, ctx.cluster());
    if (drop == Counter.DROPPED_WRONG_VERSION) {
      refuse(
          c,
          drop,
          source,
          "unsupported protocol version " + Integer.toUnsignedLong(envelope.getProtocolVersion()));
      return;
    }
    if (drop == Counter.DROPPED_WRONG_CLUSTER) {
      refuse(
          c,
          drop,
          source,
          "cluster '" + envelope.getCluster() + "' (this is '" + ctx.cluster() + "')");
      return;
    }
    if (drop != null || envelope.getBodyCase() != Envelope.BodyCase.HELLO) {
      garbage(c, "no Hello as the first message");
      return;
    }
    Hello hello = envelope.getHello();
    int version =
        ProtocolVersion.negotiate(
            Integer.toUnsignedLong(hello.getMinVersion()),
            Integer.toUnsignedLong(hello.getMaxVersion()));
    if (version < 0) {
      refuse(
          c,
          Counter.DROPPED_WRONG_VERSION,
          source,
          "no common protocol version with ["
              + Integer.toUnsignedLong(hello.getMinVersion())
              + ", "
              + Integer.toUnsignedLong(hello.getMaxVersion())
              + "]");
      return;
    }
    Endpoint from;
    try {
      from = TransportContext.sender(envelope);
    } catch (ProtoDecodeException e) {
      garbage(c, e.getMessage());
      return;
    }
    timeout.cancel(false);
    c.writeAndFlush(
        ctx.newEnvelope()
            .setRequestId(1)
            .setHelloReply(HelloReply.newBuilder().setAccepted(true).setVersion(version))
            .build());
    c.pipeline().replace(this, InboundHandler.NAME, new InboundHandler(ctx, from));
  }

  private void refuse(ChannelHandlerContext c, Counter drop, String source, String reason) {
    ctx.metrics().increment(drop);
    ctx.metrics().increment(Counter.HANDSHAKE_FAILURES);
    ctx.metrics().warnOnce(log, "handshake-refused", source, "refused a connection: " + reason);
    c.writeAndFlush(
            ctx.newEnvelope()
                .setRequestId(1)
                .setHelloReply(HelloReply.newBuilder().setAccepted(false).setReason(reason))
                .build())
        .addListener(ChannelFutureListener.CLOSE);
  }

  private void garbage(ChannelHandlerContext c, String why) {
    ctx.metrics().increment(Counter.DROPPED_GARBAGE);
    ctx.metrics().increment(Counter.HANDSHAKE_FAILURES);
    log.debug("closing {}: {}", c.channel().remoteAddress(), why);
    c.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    if (!done) {
      done = true;
      ctx.metrics().increment(Counter.HANDSHAKE_FAILURES);
    }
    TcpErrors.closeOnError(c, cause, ctx.metrics(), log);
  }
}
