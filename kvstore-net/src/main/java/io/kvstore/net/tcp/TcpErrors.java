package io.kvstore.net.tcp;

import io.kvstore.net.TransportMetrics;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.codec.FrameCodec;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;

/** How every TCP handler ends a failed connection: count the cause if it is the peer's bytes. */
final class TcpErrors {
  private TcpErrors() {}

  /** Counts {@code cause} (oversize, garbage, or nothing for I/O errors) and closes the channel. */
  static void closeOnError(
      ChannelHandlerContext ctx, Throwable cause, TransportMetrics metrics, Logger log) {
    Counter drop = FrameCodec.classify(cause);
    if (drop != null) {
      metrics.increment(drop);
      log.debug(
          "closing {} after a bad frame: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.debug("closing {} after {}", ctx.channel().remoteAddress(), cause.toString());
    }
    ctx.close();
  }

  /** The host part of a remote address, the key of once-per-source logging. */
  static String host(SocketAddress address) {
    if (address instanceof InetSocketAddress isa) {
      return isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString();
    }
    return String.valueOf(address);
  }
}
