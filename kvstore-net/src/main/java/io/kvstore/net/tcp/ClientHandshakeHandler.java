package io.kvstore.net.tcp;

import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.codec.ProtocolVersion;
import io.kvstore.net.proto.Envelope;
import io.kvstore.net.proto.Hello;
import io.kvstore.net.proto.HelloReply;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client half of the handshake on an outbound connection: sends Hello as soon as the connection
 * is up, waits (bounded by the connect timeout) for an accepting HelloReply, then tells its {@link
 * PeerConnection} that the connection is ready. A refusal is counted and logged once per peer host,
 * and the connection closed. The server sends nothing after its reply, so anything else is garbage.
 *
 * <p>Keeps per-connection state: not sharable.
 */
final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientHandshakeHandler.class);

  private final TransportContext ctx;
  private final PeerConnection peer;
  private ScheduledFuture<?> timeout;
  private boolean ready;

  ClientHandshakeHandler(TransportContext ctx, PeerConnection peer) {
    this.ctx = ctx;
    this.peer = peer;
  }

  @Override
  public void channelActive(ChannelHandlerContext c) {
    ctx.metrics().increment(Counter.CONNECTIONS_OPENED);
    long millis = ctx.config().connectTimeout().toMillis();
    timeout =
        c.executor()
            .schedule(
                () -> {
                  if (!ready) {
                    ctx.metrics().increment(Counter.HANDSHAKE_FAILURES);
                    log.debug("no HelloReply from {} within {} ms; closing", peer.peer(), millis);
                    c.close();
                  }
                },
                millis,
                TimeUnit.MILLISECONDS);
    c.writeAndFlush(
        peer.nextEnvelope(
            ctx.newEnvelope()
                .setHello(
                    Hello.newBuilder()
                        .setMinVersion(ProtocolVersion.MIN_SUPPORTED)
                        .setMaxVersion(ProtocolVersion.MAX_SUPPORTED))));
    c.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) {
    ctx.metrics().increment(Counter.CONNECTIONS_CLOSED);
    if (timeout != null) {
      timeout.cancel(false);
    }
    c.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    try {
      if (!(msg instanceof Envelope envelope)) {
        return;
      }
      if (ready || envelope.getBodyCase() != Envelope.BodyCase.HELLO_REPLY) {
        ctx.metrics().increment(Counter.DROPPED_GARBAGE);
        if (!ready) {
          ctx.metrics().increment(Counter.HANDSHAKE_FAILURES);
        }
        log.debug("unexpected {} from {}; closing", envelope.getBodyCase(), peer.peer());
        c.close();
        return;
      }
      HelloReply reply = envelope.getHelloReply();
      timeout.cancel(false);
      if (!reply.getAccepted()) {
        ctx.metrics().increment(Counter.HANDSHAKE_FAILURES);
        ctx.metrics()
            .warnOnce(
                log,
                "handshake-refused-by-peer",
                TcpErrors.host(c.channel().remoteAddress()),
                "peer "
                    + peer.peer()
                    + " of cluster '"
                    + envelope.getCluster()
                    + "' refused the connection: "
                    + reply.getReason());
        c.close();
        return;
      }
      ready = true;
      peer.onReady(c.channel());
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    if (!ready) {
      ready = true; // no second count from the timeout
      ctx.metrics().increment(Counter.HANDSHAKE_FAILURES);
    }
    TcpErrors.closeOnError(c, cause, ctx.metrics(), log);
  }
}
