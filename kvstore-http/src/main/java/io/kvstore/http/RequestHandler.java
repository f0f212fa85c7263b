package io.kvstore.http;

import io.kvstore.http.HttpMetrics.Route;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the requests of one connection, one at a time and in order. The channel starts without
 * reading (auto-read is off until the connection is admitted); this handler then lets it read on
 * its own, which costs no system call per request. A request that arrives while another is in
 * flight (a pipelining client) is queued, and reading pauses until the queue is served, so
 * pipelined requests are answered in order and a connection holds at most what one read decoded.
 *
 * <p>It also closes the connection when asked ({@code Connection: close}, HTTP/1.0 without
 * keep-alive, an unparseable request, an oversized body, a drain), and when the connection has been
 * idle for the idle timeout with no request in flight.
 *
 * <p>Not sharable; all state is touched on the channel's event loop only.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
  /** Asks a connection to finish its current request, if any, and close. */
  static final Object DRAIN = new Object();

  private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

  private final Router router;
  private final ErrorMapper errors;
  private final HttpMetrics metrics;
  private final ArrayDeque<Object> queued = new ArrayDeque<>();
  private boolean inFlight;
  private boolean draining;

  RequestHandler(Router router, ErrorMapper errors, HttpMetrics metrics) {
    this.router = router;
    this.errors = errors;
    this.metrics = metrics;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // Admitted by the connection limiter: read from now on (this starts the first read).
    ctx.channel().config().setAutoRead(true);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (inFlight || !queued.isEmpty()) {
      // Pipelined behind a request in flight: keep it for later and stop reading meanwhile.
      queued.add(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    serve(ctx, msg);
  }

  private void serve(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof FullHttpRequest request) {
        onRequest(ctx, request);
      } else if (msg instanceof BodyTooLarge tooLarge) {
        inFlight = true;
        reply(
            ctx,
            Route.OTHER,
            errors.error(
                413,
                "body_too_large",
                "request body exceeds the limit of " + tooLarge.limitBytes() + " bytes"),
            false,
            false);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** After a response: serves the next queued request, or resumes reading once none is left. */
  private void serveNext(ChannelHandlerContext ctx) {
    Object next = queued.poll();
    if (next != null) {
      serve(ctx, next);
    } else if (!ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    // Also runs when the channel closes: the pipeline removes its handlers then.
    for (Object m; (m = queued.poll()) != null; ) {
      ReferenceCountUtil.release(m);
    }
  }

  private void onRequest(ChannelHandlerContext ctx, FullHttpRequest request) {
    inFlight = true;
    DecoderResult decoded = request.decoderResult();
    if (!decoded.isSuccess()) {
      // The decoder cannot find the next request after a malformed one: answer and close.
      reply(ctx, Route.OTHER, decodeFailure(decoded.cause()), false, false);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    ApiRequest api =
        new ApiRequest(
            request.method().name(), request.uri(), ByteBufUtil.getBytes(request.content()));
    router
        .handle(api, ctx.executor())
        .whenComplete(
            (response, failure) -> {
              ApiResponse r = failure == null ? response : errors.map(failure);
              if (ctx.executor().inEventLoop()) {
                write(ctx, r, keepAlive, http10);
              } else {
                ctx.executor().execute(() -> write(ctx, r, keepAlive, http10));
              }
            });
  }

  private ApiResponse decodeFailure(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return errors.error(414, "uri_too_long", "request line is longer than the limit");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return errors.error(431, "headers_too_large", "request headers are larger than the limit");
    }
    return errors.error(400, "bad_request", "malformed HTTP request: " + cause.getMessage());
  }

  private void reply(
      ChannelHandlerContext ctx,
      Route route,
      ApiResponse response,
      boolean keepAlive,
      boolean http10) {
    metrics.answered(route, response.status());
    write(ctx, response, keepAlive, http10);
  }

  private void write(
      ChannelHandlerContext ctx, ApiResponse r, boolean keepAliveRequested, boolean http10) {
    boolean keepAlive = keepAliveRequested && !draining;
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(r.status()),
            Unpooled.wrappedBuffer(r.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    if (r.allow() != null) {
      response.headers().set(HttpHeaderNames.ALLOW, r.allow());
    }
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ctx.writeAndFlush(response)
        .addListener(
            f -> {
              inFlight = false;
              if (!f.isSuccess() || !keepAlive || draining) {
                ctx.close();
              } else {
                serveNext(ctx);
              }
            });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == DRAIN) {
      draining = true;
      if (!inFlight) {
        ctx.close();
      }
    } else if (evt instanceof IdleStateEvent) {
      if (!inFlight) {
        metrics.idleConnectionClosed();
        ctx.close();
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and half-written requests are normal on the internet: not worth an operator's time.
    LOG.debug("closing HTTP connection {} after an error", ctx.channel(), cause);
    ctx.close();
  }
}
