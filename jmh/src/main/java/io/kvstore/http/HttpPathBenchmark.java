package io.kvstore.http;

import io.kvstore.KvStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The HTTP request path without the network: request bytes into an {@link EmbeddedChannel}
 * carrying the adapter's connection pipeline (limiter, idle timer, codec, body aggregator, flow
 * control, {@link RequestHandler} with the adapter's router), backed by a started single-node
 * {@link KvStore}; then the encoded response bytes out. Includes HTTP decoding and encoding, key
 * and JSON decoding, routing, the store call with its hand-off to the store's loop and back, and
 * the JSON response. Excludes sockets and the kernel.
 *
 * <p>The pipeline is built here in the same order and with the same settings as {@link
 * HttpServerInitializer} (which takes a socket channel, not an embedded one). The request handler
 * is bound to a {@link CallerDrainedExecutor} standing in for the I/O loop, because the store
 * completes on its own thread and the embedded loop may only be used from one thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HttpPathBenchmark {
  private static final long RESPONSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Keys cycled through; each is written in setup. */
  @Param({"1024"})
  public int keys;

  private KvStore store;
  private EmbeddedChannel channel;
  private CallerDrainedExecutor loop;
  private ByteBuf[] puts;
  private ByteBuf[] gets;
  private int next;

  /** Starts the store, builds the pipeline, and writes every key once. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    store = KvStore.builder().nodeName("jmh-http").build().start();
    JsonCodec json = new JsonCodec();
    AdapterConfig config =
        new AdapterConfig("127.0.0.1", 0, 1024, 1 << 20, Duration.ofSeconds(60), null, 1, null);
    HttpMetrics metrics = new HttpMetrics();
    ConnectionLimiter limiter = new ConnectionLimiter(config.maxConnections(), json);
    ErrorMapper errors = new ErrorMapper(json, metrics);
    Router router =
        new Router(
            new KvRoutes(store.async(), json, errors),
            new ClusterRoutes(store, json, errors, () -> "http://127.0.0.1:0"),
            errors,
            metrics,
            () -> metrics.render(limiter));
    ChannelGroup channels = new DefaultChannelGroup("jmh-http", ImmediateEventExecutor.INSTANCE);
    loop = new CallerDrainedExecutor(Thread.currentThread());
    channel =
        new EmbeddedChannel(
            false,
            false,
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                channels.add(ch);
                ChannelPipeline p = ch.pipeline();
                p.addLast("limit", limiter);
                p.addLast(
                    "idle",
                    new IdleStateHandler(
                        0, 0, config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
                p.addLast(
                    "codec",
                    new HttpServerCodec(
                        new HttpDecoderConfig()
                            .setMaxInitialLineLength(HttpServerInitializer.MAX_INITIAL_LINE_BYTES)
                            .setMaxHeaderSize(HttpServerInitializer.MAX_HEADER_BYTES)
                            .setMaxChunkSize(16 * 1024)));
                p.addLast("aggregate", new BodyLimitAggregator(config.maxBodyBytes()));
                p.addLast("flow", new FlowControlHandler());
                p.addLast(loop, "handler", new RequestHandler(router, errors, metrics));
              }
            });
    channel.config().setAutoRead(false);
    channel.register();
    loop.runPending();

    puts = new ByteBuf[keys];
    gets = new ByteBuf[keys];
    for (int i = 0; i < keys; i++) {
      String path = "/kv/user%3A" + i;
      puts[i] =
          request(
              "PUT",
              path,
              "{\"value\":{\"name\":\"user " + i + "\",\"age\":" + (20 + i % 50) + ",\"tags\":[\"a\",\"b\"]}}");
      gets[i] = request("GET", path, "");
    }
    for (int i = 0; i < keys; i++) {
      expectOk(exchange(puts[i]), "PUT");
      expectOk(exchange(gets[i]), "GET");
    }
  }

  private static ByteBuf request(String method, String path, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nhost: 127.0.0.1\r\n"
            + (b.length > 0 ? "content-type: application/json\r\n" : "")
            + "content-length: "
            + b.length
            + "\r\n\r\n";
    return Unpooled.unreleasableBuffer(
        Unpooled.copiedBuffer(head.getBytes(StandardCharsets.US_ASCII), b).asReadOnly());
  }

  private static void expectOk(String statusLine, String what) {
    if (!statusLine.startsWith("HTTP/1.1 200")) {
      throw new IllegalStateException(what + " answered " + statusLine);
    }
  }

  /**
   * Writes one request and drives the pipeline until its response is written; returns the
   * response's first bytes (the status line), releasing the response buffers.
   */
  private String exchange(ByteBuf request) throws InterruptedException {
    channel.writeInbound(request.duplicate());
    Object out;
    while ((out = channel.readOutbound()) == null) {
      if (!loop.runOne(RESPONSE_TIMEOUT_NANOS)) {
        throw new IllegalStateException("no response within the timeout");
      }
    }
    String status = statusLine((ByteBuf) out);
    ((ByteBuf) out).release();
    for (Object more; (more = channel.readOutbound()) != null; ) {
      ((ByteBuf) more).release();
    }
    // Listeners of the write (ready for the next request) may run on the handler's loop.
    loop.runPending();
    return status;
  }

  private static String statusLine(ByteBuf b) {
    int n = Math.min(b.readableBytes(), 12);
    return b.toString(b.readerIndex(), n, StandardCharsets.US_ASCII);
  }

  /** Closes the channel and the store, and releases the request buffers. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (channel != null) {
      channel.close();
      loop.runPending();
      channel.finishAndReleaseAll();
    }
    if (store != null) {
      store.close();
    }
  }

  private int index() {
    int i = next + 1;
    next = i == keys ? 0 : i;
    return next;
  }

  /** PUT /kv/{key} with a small JSON object; returns the status line. */
  @Benchmark
  public String put() throws InterruptedException {
    String status = exchange(puts[index()]);
    expectOk(status, "PUT");
    return status;
  }

  /** GET /kv/{key} of a small JSON object; returns the status line. */
  @Benchmark
  public String get() throws InterruptedException {
    String status = exchange(gets[index()]);
    expectOk(status, "GET");
    return status;
  }
}
