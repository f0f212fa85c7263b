package io.kvstore.net.udp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.codec.ProtoDecodeException;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one envelope from each datagram, checks its cluster and version, and delivers its message
 * as sent by the envelope's sender endpoint (the datagram's source address is only used for
 * logging). Anything else is dropped and counted; the channel stays open whatever arrives. Decoding
 * runs on the I/O thread; the inbound callback must not block.
 *
 * <p>The packet is released by the superclass after {@link #channelRead0} returns; parsing copies
 * what it keeps. Stateless apart from the shared context.
 */
final class GossipDatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(GossipDatagramHandler.class);

  private final TransportContext ctx;

  GossipDatagramHandler(TransportContext ctx) {
    super(DatagramPacket.class);
    this.ctx = ctx;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext c, DatagramPacket packet) {
    ctx.metrics().add(Counter.UDP_BYTES_IN, packet.content().readableBytes());
    Envelope envelope;
    try {
      envelope = Envelope.parseFrom(packet.content().nioBuffer());
    } catch (InvalidProtocolBufferException e) {
      ctx.metrics().increment(Counter.DROPPED_GARBAGE);
      log.debug("dropping an unparsable datagram from {}", packet.sender());
      return;
    }
    String source = packet.sender().getAddress().getHostAddress();
    if (!ctx.acceptHeader(envelope, source)) {
      return;
    }
    Endpoint from;
    try {
      from = TransportContext.sender(envelope);
    } catch (ProtoDecodeException e) {
      ctx.metrics().increment(Counter.DROPPED_GARBAGE);
      return;
    }
    ctx.deliver(from, envelope, Counter.UDP_MESSAGES_IN);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    // A datagram socket has no peer to blame and nothing to close: note it and keep serving.
    log.debug("datagram channel error: {}", cause.toString());
  }
}
