package io.kvstore.examples.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives a cluster through its HTTP adapter with Netty's HTTP/1.1 client: one keep-alive connection
 * per client, all on one small event-loop group (so 1000 clients cost 1000 sockets, not 1000
 * threads), requests pipelined when the open loop has several in flight on a connection.
 *
 * <p>Netty rather than the JDK {@code HttpClient}: the JDK client hides its connection pool (no
 * control over one connection per client), does not pipeline, and completes futures through an
 * executor hop that adds its own latency to every sample.
 *
 * <p>Clients are spread over the URLs round-robin. A connection that breaks or cannot connect moves
 * on to the next URL, so that the availability numbers after a node is killed measure the cluster,
 * not one dead address; after a failed connect it refuses requests (after a short pause, so clients
 * do not spin) for {@link #RECONNECT_BACKOFF_NANOS}.
 */
final class HttpTarget implements Target {
  static final long RECONNECT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long FAIL_FAST_PAUSE_MILLIS = 5;
  private static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
  private static final JsonFactory JSON = new JsonFactory();

  private final List<URI> urls;
  private final byte[] body;
  private final long timeoutNanos;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final List<Connection> connections = new ArrayList<>();

  /**
   * Creates a target; nothing connects before {@link #open}.
   *
   * @param urls base URLs such as {@code http://127.0.0.1:8000}
   * @param valueSize the number of characters of the written string value
   * @param ioThreads event-loop threads
   * @param timeoutNanos how long a request may wait for its response before its connection is
   *     closed and it counts as an error
   */
  HttpTarget(List<URI> urls, int valueSize, int ioThreads, long timeoutNanos) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("no URLs");
    }
    for (URI u : urls) {
      if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException("not an http://host:port URL: " + u);
      }
    }
    this.urls = List.copyOf(urls);
    this.body = ("{\"value\":\"" + "x".repeat(valueSize) + "\"}").getBytes(StandardCharsets.UTF_8);
    this.timeoutNanos = timeoutNanos;
    this.group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(MAX_RESPONSE_BYTES))
                        .addLast(new ResponseHandler());
                  }
                });
  }

  /** Parses a comma-separated list of URLs. */
  static List<URI> parseUrls(String text) {
    List<URI> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String s = part.trim();
      if (s.isEmpty()) {
        continue;
      }
      if (!s.contains("://")) {
        s = "http://" + s;
      }
      out.add(URI.create(s));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--urls needs at least one URL");
    }
    return out;
  }

  @Override
  public void open(int clients) throws Exception {
    List<CompletableFuture<Boolean>> connects = new ArrayList<>();
    synchronized (connections) {
      for (int i = connections.size(); i < clients; i++) {
        Connection c = new Connection(i % urls.size());
        connections.add(c);
        connects.add(c.channel().handle((ch, t) -> t == null));
      }
    }
    long ok = 0;
    for (CompletableFuture<Boolean> f : connects) {
      if (f.get(10, TimeUnit.SECONDS)) {
        ok++;
      }
    }
    if (ok == 0 && !connects.isEmpty()) {
      throw new IOException("cannot connect to any of " + urls);
    }
  }

  private Connection connection(int client) {
    synchronized (connections) {
      while (connections.size() <= client) {
        connections.add(new Connection(connections.size() % urls.size()));
      }
      return connections.get(client);
    }
  }

  @Override
  public CompletableFuture<Result> execute(Op op) {
    Connection c = connection(Math.floorMod(op.client(), Integer.MAX_VALUE));
    String path = "/kv/" + op.key();
    switch (op.type()) {
      case GET:
        return c.send(HttpMethod.GET, path, false, false).thenApply(r -> r.result(true));
      case PUT:
        return c.send(HttpMethod.PUT, path, true, false).thenApply(r -> r.result(false));
      case PUT_IF_ABSENT:
        return c.send(HttpMethod.PUT, path + "?version=0", true, false)
            .thenApply(r -> r.result(false));
      case CAS:
        return c.send(HttpMethod.GET, path, false, true)
            .thenCompose(
                read -> {
                  if (read.status != 200 && read.status != 404) {
                    return CompletableFuture.completedFuture(read.result(true));
                  }
                  long version = read.status == 404 ? 0 : read.version;
                  return c.send(HttpMethod.PUT, path + "?version=" + version, true, false)
                      .thenApply(r -> r.result(false));
                });
      default:
        throw new AssertionError(op.type());
    }
  }

  @Override
  public String describe() {
    return "http(" + urls.size() + (urls.size() == 1 ? " url)" : " urls)");
  }

  @Override
  public void close() {
    synchronized (connections) {
      for (Connection c : connections) {
        c.close();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /**
   * A response reduced to what the generator needs.
   *
   * @param status the HTTP status, or -1 for a refused connection and -2 for a broken one
   * @param version the {@code version} field of a GET's body when asked for, else 0
   */
  private record Response(int status, long version) {
    static final Response REFUSED = new Response(-1, 0);
    static final Response BROKEN = new Response(-2, 0);

    Result result(boolean read) {
      if (status >= 200 && status < 300) {
        return Result.OK;
      }
      switch (status) {
        case -1:
          return Result.REFUSED;
        case -2:
          return Result.ERROR;
        case 404:
          return read ? Result.OK : Result.REFUSED;
        case 409:
          return Result.CONFLICT;
        case 503:
          return Result.UNAVAILABLE;
        case 504:
          return Result.UNKNOWN_OUTCOME;
        default:
          return status < 500 ? Result.REFUSED : Result.ERROR;
      }
    }
  }

  /** A request waiting for its response on one channel. */
  private record Pending(CompletableFuture<Response> future, boolean wantVersion, long sentNanos) {}

  /** One client's connection: a channel, replaced (on the next URL) when it breaks. */
  private final class Connection {
    private int urlIndex;
    private volatile URI current;
    private CompletableFuture<Channel> channel;
    private long refuseUntilNanos;
    private boolean closed;

    Connection(int urlIndex) {
      this.urlIndex = urlIndex;
    }

    /** The current channel, connecting (again) if there is none. */
    synchronized CompletableFuture<Channel> channel() {
      if (channel != null) {
        Channel ch = doneChannel(channel);
        if (!channel.isDone() || (ch != null && ch.isActive())) {
          return channel;
        }
      }
      if (closed) {
        return CompletableFuture.failedFuture(new IOException("closed"));
      }
      if (System.nanoTime() - refuseUntilNanos < 0) {
        return CompletableFuture.failedFuture(new ConnectException("reconnect backoff"));
      }
      URI u = urls.get(urlIndex);
      current = u;
      int port = u.getPort() > 0 ? u.getPort() : 80;
      CompletableFuture<Channel> f = new CompletableFuture<>();
      channel = f;
      ChannelFuture cf = bootstrap.connect(u.getHost(), port);
      cf.addListener(
          done -> {
            if (done.isSuccess()) {
              Channel ch = cf.channel();
              ch.closeFuture().addListener(x -> moveOn(f, false));
              f.complete(ch);
            } else {
              moveOn(f, true);
              f.completeExceptionally(done.cause());
            }
          });
      return f;
    }

    /** The channel if the connect succeeded, else null. */
    private Channel doneChannel(CompletableFuture<Channel> f) {
      return f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
    }

    /** After a failure of the channel {@code failed}: next time, try the next URL. */
    private synchronized void moveOn(CompletableFuture<Channel> failed, boolean connectFailed) {
      if (channel == failed) {
        urlIndex = (urlIndex + 1) % urls.size();
        if (connectFailed) {
          refuseUntilNanos = System.nanoTime() + RECONNECT_BACKOFF_NANOS;
        }
      }
    }

    CompletableFuture<Response> send(
        HttpMethod method, String path, boolean withBody, boolean wantVersion) {
      CompletableFuture<Response> out = new CompletableFuture<>();
      CompletableFuture<Channel> chf = channel();
      chf.whenComplete(
          (ch, t) -> {
            if (t != null) {
              // Pause a little before answering so that closed-loop clients do not spin.
              group
                  .next()
                  .schedule(
                      () -> out.complete(Response.REFUSED),
                      FAIL_FAST_PAUSE_MILLIS,
                      TimeUnit.MILLISECONDS);
              return;
            }
            write(ch, method, path, withBody, wantVersion, out);
          });
      return out;
    }

    private void write(
        Channel ch,
        HttpMethod method,
        String path,
        boolean withBody,
        boolean wantVersion,
        CompletableFuture<Response> out) {
      Runnable send =
          () -> {
            ResponseHandler h = ch.pipeline().get(ResponseHandler.class);
            if (!ch.isActive() || h == null) {
              out.complete(Response.BROKEN);
              return;
            }
            URI u = current;
            String prefix = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
            ByteBuf content = withBody ? Unpooled.wrappedBuffer(body) : Unpooled.EMPTY_BUFFER;
            FullHttpRequest req =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, prefix + path, content);
            req.headers().set(HttpHeaderNames.HOST, u.getHost());
            if (withBody) {
              req.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
              req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            }
            h.enqueue(ch, new Pending(out, wantVersion, System.nanoTime()));
            ch.writeAndFlush(req);
          };
      // From a completion callback the caller is usually on the channel's loop: no task hop.
      if (ch.eventLoop().inEventLoop()) {
        send.run();
      } else {
        ch.eventLoop().execute(send);
      }
    }

    synchronized void close() {
      closed = true;
      if (channel != null) {
        Channel ch = doneChannel(channel);
        if (ch != null) {
          ch.close();
        }
      }
    }
  }

  /** Matches responses to requests in order (HTTP/1.1 pipelining); confined to its event loop. */
  private final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean watchdogArmed;

    void enqueue(Channel ch, Pending p) {
      pending.add(p);
      if (!watchdogArmed) {
        watchdogArmed = true;
        ch.eventLoop().schedule(() -> watchdog(ch), 1, TimeUnit.SECONDS);
      }
    }

    /** Closes the channel if its oldest request waited longer than the timeout. */
    private void watchdog(Channel ch) {
      Pending head = pending.peek();
      if (head != null && System.nanoTime() - head.sentNanos() > timeoutNanos) {
        ch.close();
        return;
      }
      if (ch.isActive()) {
        ch.eventLoop().schedule(() -> watchdog(ch), 1, TimeUnit.SECONDS);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
      Pending p = pending.poll();
      if (p == null) {
        ctx.close();
        return;
      }
      int status = msg.status().code();
      long version = 0;
      if (p.wantVersion() && status == 200) {
        version = versionOf(msg.content());
      }
      p.future().complete(new Response(status, version));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Pending p;
      while ((p = pending.poll()) != null) {
        p.future().complete(Response.BROKEN);
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The top-level {@code version} field of a JSON body, or 0. */
  static long versionOf(ByteBuf content) {
    try (JsonParser p =
        JSON.createParser((java.io.InputStream) new ByteBufInputStream(content.duplicate()))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return 0;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if ("version".equals(name) && v == JsonToken.VALUE_NUMBER_INT) {
          return p.getLongValue();
        }
        p.skipChildren();
      }
      return 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
