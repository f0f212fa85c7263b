package io.kvstore.http;

import io.kvstore.KvStore;
import io.kvstore.KvStoreBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link KvStore} over HTTP/1.1 and JSON, using only its public API.
 *
 * <pre>{@code
 * try (KvStore store = KvStore.builder().build().start();
 *     HttpAdapter http = HttpAdapter.builder(store).port(8000).build().start()) {
 *   // curl -X PUT localhost:8000/kv/greeting -d '{"value": "hello"}'
 * }
 * }</pre>
 *
 * <p>Routes: {@code PUT/GET/DELETE /kv/{key}} (the value is any JSON value, kept exactly), {@code
 * GET /health}, {@code GET /cluster}, {@code GET /cluster/members}, {@code DELETE
 * /cluster/members/{id}} (operator removal of a member), {@code GET /metrics} (Prometheus text).
 * Every error is {@code {"error": code, "message": text}} with a status that says whether a write
 * was applied.
 *
 * <p>Limits protect the node from floods: at most {@code maxConnections} open connections (more are
 * answered 503 and closed), idle connections closed after {@code idleTimeout}, request line 8 KiB
 * (414), headers 16 KiB (431), body {@code maxBodyBytes} (413, answered from {@code Content-Length}
 * before the body is read). Requests of one connection are answered in order.
 *
 * <p>Thread-safe. It owns its Netty threads and never blocks them; {@link #close()} releases them
 * (do not call it from one of them). The store is not closed by the adapter.
 */
public final class HttpAdapter implements AutoCloseable {
  /** Default bind address: every interface. */
  public static final String DEFAULT_HOST = "0.0.0.0";

  /** Default port. */
  public static final int DEFAULT_PORT = 8000;

  /**
   * Default connection cap: plenty for clients and load tests, far below file-descriptor limits.
   */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;

  /** Default body limit: the store's default value limit plus room for the JSON envelope. */
  public static final int DEFAULT_MAX_BODY_BYTES =
      KvStoreBuilder.DEFAULT_MAX_VALUE_BYTES + 64 * 1024;

  /** Default idle timeout, as common HTTP servers use. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * How long {@link #close()} waits for in-flight requests: the store's default operation timeout.
   */
  private static final long DRAIN_TIMEOUT_MILLIS = 5_000;

  private static final long SHUTDOWN_TIMEOUT_MILLIS = 2_000;
  private static final Logger LOG = LoggerFactory.getLogger(HttpAdapter.class);

  private final KvStore store;
  private final AdapterConfig config;
  private final HttpMetrics metrics = new HttpMetrics();
  private final JsonCodec json = new JsonCodec();
  private final ConnectionLimiter limiter;
  private final ChannelGroup channels =
      new DefaultChannelGroup("kvstore-http", GlobalEventExecutor.INSTANCE);
  private EventLoopGroup acceptor;
  private EventLoopGroup workers;
  private Channel serverChannel;
  private volatile int boundPort;
  private volatile boolean started;
  private boolean closed;

  private HttpAdapter(KvStore store, AdapterConfig config) {
    this.store = store;
    this.config = config;
    this.limiter = new ConnectionLimiter(config.maxConnections(), json);
  }

  /** A builder for an adapter serving {@code store}. */
  public static Builder builder(KvStore store) {
    return new Builder(store);
  }

  /**
   * Binds and starts serving; returns once the port is listening. Idempotent while running.
   *
   * @throws IllegalStateException if the adapter was closed, or if the address cannot be bound (the
   *     message names the address and the reason)
   */
  public synchronized HttpAdapter start() {
    if (closed) {
      throw new IllegalStateException("HTTP adapter is closed");
    }
    if (started) {
      return this;
    }
    if (config.eventLoopGroup() != null) {
      // The caller's loop (a cluster transport's): requests and the store's replies meet on one
      // thread. It stays the caller's: close() never shuts it down.
      acceptor = config.eventLoopGroup();
      workers = config.eventLoopGroup();
    } else {
      acceptor =
          new MultiThreadIoEventLoopGroup(
              1, new DefaultThreadFactory("kvstore-http-accept"), NioIoHandler.newFactory());
      workers =
          new MultiThreadIoEventLoopGroup(
              config.ioThreads(), new DefaultThreadFactory("kvstore-http"), NioIoHandler.newFactory());
    }
    ErrorMapper errors = new ErrorMapper(json, metrics);
    Router router =
        new Router(
            new KvRoutes(store.async(), json, errors),
            new ClusterRoutes(store, json, errors, this::healthUrl),
            errors,
            metrics,
            () -> metrics.render(limiter));
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            // Off until the connection limiter admits a connection; RequestHandler turns it on.
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new HttpServerInitializer(config, limiter, router, errors, metrics, channels));
    try {
      serverChannel = bootstrap.bind(config.host(), config.port()).syncUninterruptibly().channel();
    } catch (Exception e) { // bind rethrows the checked BindException undeclared
      shutdownGroups();
      closed = true;
      throw new IllegalStateException(
          "HTTP adapter cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + e.getMessage(),
          e);
    }
    boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    started = true;
    LOG.info("HTTP adapter listening on {} (bound to {}:{})", url(), config.host(), boundPort);
    return this;
  }

  /**
   * The bound port.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public int port() {
    if (!started) {
      throw new IllegalStateException("HTTP adapter is not started");
    }
    return boundPort;
  }

  /**
   * The local URL of this adapter, for example {@code http://127.0.0.1:8000}. A wildcard bind
   * address is shown as the loopback address.
   */
  public String url() {
    String host = config.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port();
  }

  private String healthUrl() {
    return config.advertisedUrl() != null ? config.advertisedUrl() : url();
  }

  /**
   * Stops accepting connections, lets in-flight requests finish (up to 5 s), closes every
   * connection and releases the threads. Idempotent. Does not close the store.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!started) {
      return;
    }
    serverChannel.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
    for (Channel ch : channels) {
      ch.pipeline().fireUserEventTriggered(RequestHandler.DRAIN);
    }
    channels.newCloseFuture().awaitUninterruptibly(DRAIN_TIMEOUT_MILLIS);
    channels.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
    shutdownGroups();
    LOG.info("HTTP adapter on port {} closed", boundPort);
  }

  private void shutdownGroups() {
    if (config.eventLoopGroup() != null) {
      return;
    }
    workers.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    acceptor.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    workers.terminationFuture().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
    acceptor.terminationFuture().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
  }

  @Override
  public String toString() {
    return "HttpAdapter{" + config.host() + ":" + (started ? boundPort : config.port()) + "}";
  }

  /**
   * Configures an {@link HttpAdapter}. Each setting may be set once ({@link IllegalStateException}
   * otherwise); invalid values fail at once with {@link IllegalArgumentException}. Not thread-safe.
   */
  public static final class Builder {
    private final KvStore store;
    private String host;
    private Integer port;
    private Integer maxConnections;
    private Integer maxBodyBytes;
    private Duration idleTimeout;
    private String advertisedUrl;
    private Integer ioThreads;
    private EventLoopGroup eventLoopGroup;

    private Builder(KvStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    /** The address to bind (default {@code 0.0.0.0}, every interface). */
    public Builder host(String bindHost) {
      once(host, "host");
      this.host = Objects.requireNonNull(bindHost, "bindHost");
      return this;
    }

    /** The port to bind (default 8000); 0 picks a free ephemeral port. */
    public Builder port(int port) {
      once(this.port, "port");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** The most connections open at once (default 1024); more are answered 503 and closed. */
    public Builder maxConnections(int n) {
      once(maxConnections, "maxConnections");
      if (n < 1) {
        throw new IllegalArgumentException("maxConnections must be positive: " + n);
      }
      this.maxConnections = n;
      return this;
    }

    /** The largest request body accepted (default 1 MiB + 64 KiB); larger ones get 413. */
    public Builder maxBodyBytes(int n) {
      once(maxBodyBytes, "maxBodyBytes");
      if (n < 1) {
        throw new IllegalArgumentException("maxBodyBytes must be positive: " + n);
      }
      this.maxBodyBytes = n;
      return this;
    }

    /** How long a connection may be silent before it is closed (default 60 s). */
    public Builder idleTimeout(Duration d) {
      once(idleTimeout, "idleTimeout");
      Objects.requireNonNull(d, "d");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("idleTimeout must be positive: " + d);
      }
      this.idleTimeout = d;
      return this;
    }

    /**
     * The URL clients should use for this node, reported by {@code /health} (default: {@link
     * #url()}).
     */
    public Builder advertisedUrl(String url) {
      once(advertisedUrl, "advertisedUrl");
      this.advertisedUrl = Objects.requireNonNull(url, "url");
      return this;
    }

    /**
     * The adapter's I/O threads (default: one per two processors, at least one). Ignored with
     * {@link #eventLoopGroup}.
     */
    public Builder ioThreads(int n) {
      once(ioThreads, "ioThreads");
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("ioThreads must be in 1..64: " + n);
      }
      this.ioThreads = n;
      return this;
    }

    /**
     * Serves on {@code group} instead of threads of the adapter's own; the group stays the
     * caller's ({@link HttpAdapter#close()} does not shut it down, and it must outlive the
     * adapter). Giving the cluster transport's one-thread group puts requests, the store's work
     * and the replies on one thread: no hand-off between threads on the request path, which is
     * what a small machine running several nodes needs.
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      once(eventLoopGroup, "eventLoopGroup");
      this.eventLoopGroup = Objects.requireNonNull(group, "group");
      return this;
    }

    /** Builds the adapter; nothing is bound until {@link HttpAdapter#start()}. */
    public HttpAdapter build() {
      AdapterConfig config =
          new AdapterConfig(
              host != null ? host : DEFAULT_HOST,
              port != null ? port : DEFAULT_PORT,
              maxConnections != null ? maxConnections : DEFAULT_MAX_CONNECTIONS,
              maxBodyBytes != null ? maxBodyBytes : DEFAULT_MAX_BODY_BYTES,
              idleTimeout != null ? idleTimeout : DEFAULT_IDLE_TIMEOUT,
              advertisedUrl,
              ioThreads != null
                  ? ioThreads
                  : Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
              eventLoopGroup);
      return new HttpAdapter(store, config);
    }
  }
}
