package io.kvstore.examples.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpMethod;
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
 * Drives a cluster through its HTTP adapter over Netty: one keep-alive HTTP/1.1 connection
 * per client, all on one small event-loop group (so 1000 clients cost 1000 sockets, not 1000
 * threads), requests pipelined when the open loop has several in flight on a connection.
 *
 * <p>Netty rather than the JDK {@code HttpClient}: the JDK client hides its connection pool (no
 * control over one connection per client), does not pipeline, and completes futures through an
 * executor hop that adds its own latency to every sample.
 *
 * <p>Requests are written straight as bytes and responses are read by {@link ResponseParser}
 * rather than by Netty's HTTP codec, so that the generator takes as little as it can of the CPU it
 * shares with the nodes it measures.
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
  /** Per URL: its path without trailing slashes, put before {@code /kv/...}. */
  private final List<String> prefixes;
  /** Per URL: the {@code Host} header line. */
  private final List<String> hostLines;
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
    List<String> p = new ArrayList<>();
    List<String> h = new ArrayList<>();
    for (URI u : this.urls) {
      p.add(u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", ""));
      h.add("host: " + u.getHost() + "\r\n");
    }
    this.prefixes = List.copyOf(p);
    this.hostLines = List.copyOf(h);
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
                    ch.pipeline().addLast(new ResponseHandler());
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
    private volatile int currentIndex;
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
      currentIndex = urlIndex;
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
            int url = currentIndex;
            ByteBuf req = ch.alloc().buffer(128 + (withBody ? body.length : 0));
            ByteBufUtil.writeAscii(req, method.name());
            req.writeByte(' ');
            ByteBufUtil.writeUtf8(req, prefixes.get(url));
            ByteBufUtil.writeUtf8(req, path);
            ByteBufUtil.writeAscii(req, " HTTP/1.1\r\n");
            ByteBufUtil.writeAscii(req, hostLines.get(url));
            if (withBody) {
              ByteBufUtil.writeAscii(req, "content-type: application/json\r\ncontent-length: ");
              ByteBufUtil.writeAscii(req, Integer.toString(body.length));
              ByteBufUtil.writeAscii(req, "\r\n\r\n");
              req.writeBytes(body);
            } else {
              ByteBufUtil.writeAscii(req, "\r\n");
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

  /**
   * Parses responses and matches them to requests in order (HTTP/1.1 pipelining); confined to its
   * event loop. A response that cannot be parsed, or that answers no request, closes the channel.
   */
  private final class ResponseHandler extends ByteToMessageDecoder implements ResponseParser.Sink {
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final ResponseParser parser = new ResponseParser(MAX_RESPONSE_BYTES);
    private boolean watchdogArmed;
    private boolean unexpected;

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
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      try {
        if (!unexpected) {
          parser.parse(in, this);
        }
      } catch (ResponseParser.MalformedResponseException e) {
        unexpected = true;
      }
      if (unexpected) {
        in.skipBytes(in.readableBytes());
        ctx.close();
      }
    }

    @Override
    public boolean wantsBody() {
      Pending p = pending.peek();
      return p != null && p.wantVersion();
    }

    @Override
    public void response(int status, ByteBuf body) {
      Pending p = pending.poll();
      if (p == null) {
        unexpected = true; // an answer to nothing: the stream cannot be trusted
        return;
      }
      long version = 0;
      if (body != null && status == 200) {
        version = versionOf(body);
      }
      p.future().complete(new Response(status, version));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      Pending p;
      while ((p = pending.poll()) != null) {
        p.future().complete(Response.BROKEN);
      }
      super.channelInactive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
      parser.release();
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
