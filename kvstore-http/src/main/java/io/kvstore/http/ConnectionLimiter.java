package io.kvstore.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Caps the number of open connections. A connection over the cap is answered {@code 503
 * too_many_connections} (written as raw bytes: this handler sits before the HTTP codec) and closed
 * at once, without reading its request; the rest of its pipeline never sees it become active.
 *
 * <p>Sharable: one instance counts all connections of an adapter. Thread-safe.
 */
@Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf("kvstore.http.counted");

  private final int maxConnections;
  private final byte[] rejection;
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder rejected = new LongAdder();

  ConnectionLimiter(int maxConnections, JsonCodec json) {
    this.maxConnections = maxConnections;
    byte[] body =
        json.write(
            json.error(
                "too_many_connections",
                "the server has reached its limit of " + maxConnections + " open connections"));
    String head =
        "HTTP/1.1 503 Service Unavailable\r\n"
            + "content-type: application/json\r\n"
            + "content-length: "
            + body.length
            + "\r\n"
            + "connection: close\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    rejection = new byte[headBytes.length + body.length];
    System.arraycopy(headBytes, 0, rejection, 0, headBytes.length);
    System.arraycopy(body, 0, rejection, headBytes.length, body.length);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      rejected.increment();
      ctx.writeAndFlush(Unpooled.wrappedBuffer(rejection)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.channel().attr(COUNTED).set(Boolean.TRUE);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().attr(COUNTED).getAndSet(null) != null) {
      open.decrementAndGet();
    }
    ctx.fireChannelInactive();
  }

  int open() {
    return open.get();
  }

  long rejected() {
    return rejected.sum();
  }
}
