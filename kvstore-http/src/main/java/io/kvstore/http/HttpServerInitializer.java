package io.kvstore.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one client connection, in order:
 *
 * <ol>
 *   <li>{@link ConnectionLimiter}: refuses connections over the cap;
 *   <li>{@link IdleStateHandler}: signals when nothing was read or written for the idle timeout;
 *   <li>{@link HttpServerCodec}: request line up to 8 KiB, headers up to 16 KiB;
 *   <li>{@link BodyLimitAggregator}: whole requests, bodies up to the limit;
 *   <li>{@link RequestHandler}: routes each request in order and writes the response.
 * </ol>
 */
final class HttpServerInitializer extends ChannelInitializer<SocketChannel> {
  static final int MAX_INITIAL_LINE_BYTES = 8 * 1024;
  static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_CHUNK_BYTES = 16 * 1024;

  private final AdapterConfig config;
  private final ConnectionLimiter limiter;
  private final Router router;
  private final ErrorMapper errors;
  private final HttpMetrics metrics;
  private final ChannelGroup channels;

  HttpServerInitializer(
      AdapterConfig config,
      ConnectionLimiter limiter,
      Router router,
      ErrorMapper errors,
      HttpMetrics metrics,
      ChannelGroup channels) {
    this.config = config;
    this.limiter = limiter;
    this.router = router;
    this.errors = errors;
    this.metrics = metrics;
    this.channels = channels;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    channels.add(ch);
    ChannelPipeline p = ch.pipeline();
    p.addLast("limit", limiter);
    p.addLast(
        "idle", new IdleStateHandler(0, 0, config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
    p.addLast(
        "codec",
        new HttpServerCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setMaxChunkSize(MAX_CHUNK_BYTES)));
    p.addLast("aggregate", new BodyLimitAggregator(config.maxBodyBytes()));
    p.addLast("handler", new RequestHandler(router, errors, metrics));
  }
}
