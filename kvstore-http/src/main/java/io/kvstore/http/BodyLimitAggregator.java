package io.kvstore.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates a request and its body up to a limit. A larger body is refused as soon as it is known
 * to be too large: from {@code Content-Length} before any of it is read, or, for a chunked body, at
 * the chunk that crosses the limit. The refusal travels down the pipeline as {@link BodyTooLarge}
 * (instead of being written here) so that responses stay in request order; the rest of the body is
 * discarded.
 *
 * <p>Not sharable: one per connection.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
  BodyLimitAggregator(int maxBodyBytes) {
    super(maxBodyBytes);
  }

  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    // An oversized "Expect: 100-continue" request gets the same 413 JSON answer as any other,
    // instead of the aggregator's bare 417 written out of order.
    if (HttpUtil.is100ContinueExpected(start) && isContentLengthInvalid(start, maxContentLength)) {
      return null;
    }
    return super.newContinueResponse(start, maxContentLength, pipeline);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    String method = oversized instanceof HttpRequest r ? r.method().name() : "?";
    String uri = oversized instanceof HttpRequest r ? r.uri() : "?";
    ctx.fireChannelRead(new BodyTooLarge(method, uri, maxContentLength()));
  }
}
