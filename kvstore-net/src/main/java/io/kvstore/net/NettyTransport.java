package io.kvstore.net;

import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.codec.ProtoMapper;
import io.kvstore.net.proto.Envelope;
import io.kvstore.net.tcp.PeerConnections;
import io.kvstore.net.tcp.TcpServer;
import io.kvstore.net.udp.UdpChannel;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Transport}: protobuf envelopes over Netty, TCP and UDP on one port number.
 *
 * <ul>
 *   <li>{@link #send} writes to the peer's one outbound TCP connection (connected lazily, with a
 *       Hello handshake, reconnected with backoff); messages to one peer arrive in order.
 *   <li>{@link #sendDatagram} sends one UDP datagram, or, if the encoding exceeds {@link
 *       NettyTransportConfig#maxDatagramBytes()}, falls back to {@link #send}.
 *   <li>Received messages go to the inbound callback on an I/O thread, with the sender's advertised
 *       endpoint (from the TCP handshake or the datagram's envelope), never the connection's source
 *       port.
 * </ul>
 *
 * <p>Every packet carries the cluster name and protocol version; packets of another cluster or an
 * unsupported version, garbage, and oversize frames are dropped and counted in {@link #metrics()},
 * and a TCP connection that sends them is closed. One event loop group (by default one thread)
 * serves the TCP server, the TCP clients and the UDP channel.
 *
 * <p>Threading: thread-safe. {@code send}, {@code sendDatagram} never block on the network (a host
 * name not yet resolved is looked up on the caller's thread for datagrams). The inbound callback
 * runs on I/O threads and must not block.
 *
 * <pre>{@code
 * NettyTransport t = NettyTransport.create(NettyTransportConfig.builder()
 *     .clusterName("prod").bindHost("0.0.0.0").advertisedHost("10.0.0.5").port(7946).build());
 * t.start(null, (from, message) -> driver.offer(from, message));
 * }</pre>
 */
public final class NettyTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  /** With port 0, attempts to find a port number free for both TCP and UDP. */
  private static final int EPHEMERAL_BIND_ATTEMPTS = 16;

  private final NettyTransportConfig config;
  private final TransportMetrics metrics = new TransportMetrics();
  private final Object lock = new Object();

  // Set once by start(), under lock; read without it after (volatile publication).
  private volatile TransportContext ctx;
  private final EventLoopGroup group;
  private final SharedLoop sharedLoop;
  private TcpServer tcp;
  private UdpChannel udp;
  private volatile PeerConnections peers;
  private boolean started;
  private volatile boolean closed;

  private NettyTransport(NettyTransportConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    // Netty starts the threads on first use: a transport never started holds none.
    this.group =
        new MultiThreadIoEventLoopGroup(
            config.ioThreads(),
            new DefaultThreadFactory("kvstore-net", true),
            NioIoHandler.newFactory());
    this.sharedLoop = config.ioThreads() == 1 ? new SharedLoop(group.next()) : null;
  }

  /** A transport with {@code config}; it binds nothing until {@link #start}. */
  public static NettyTransport create(NettyTransportConfig config) {
    return new NettyTransport(config);
  }

  /** This transport's configuration. */
  public NettyTransportConfig config() {
    return config;
  }

  /** This transport's counters. */
  public TransportMetrics metrics() {
    return metrics;
  }

  /**
   * Binds TCP and UDP and starts delivering to {@code inbound}.
   *
   * @param local the address to bind (port 0 = a free port number, the same for TCP and UDP), or
   *     {@code null} to bind the configured host and port. Its host is advertised unless the
   *     configuration names an advertised host.
   * @throws IllegalStateException if started before or closed
   * @throws IllegalArgumentException if the bind host is a wildcard and no advertised host is set
   * @throws UncheckedIOException if the port cannot be bound
   */
  @Override
  public void start(Endpoint local, Inbound inbound) {
    Objects.requireNonNull(inbound, "inbound");
    String bindHost = local != null ? local.host() : config.bindHost();
    int port = local != null ? local.port() : config.port();
    String advertised = config.advertisedHost() != null ? config.advertisedHost() : bindHost;
    if (isWildcard(advertised)) {
      throw new IllegalArgumentException(
          "bind host " + bindHost + " is a wildcard address: set advertisedHost");
    }
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException(closed ? "transport closed" : "transport already started");
      }
      started = true;
      TransportContext c = new TransportContext(config, metrics, inbound);
      try {
        bind(bindHost, port, c);
      } catch (IOException e) {
        shutdown();
        closed = true;
        throw new UncheckedIOException("cannot bind cluster port " + bindHost + ':' + port, e);
      } catch (RuntimeException e) {
        shutdown();
        closed = true;
        throw e;
      }
      c.setLocal(new Endpoint(advertised, tcp.port()));
      peers = new PeerConnections(group, c);
      ctx = c;
      log.info(
          "cluster transport of '{}' listening on {}:{} (TCP and UDP), advertised as {}",
          config.clusterName(),
          bindHost,
          tcp.port(),
          c.local());
    }
  }

  private void bind(String host, int port, TransportContext c) throws IOException {
    // The advertised endpoint is not set until both sockets are bound: nothing can be sent yet,
    // and a connection that arrives first is closed by the handshake (its client retries).
    if (port != 0) {
      tcp = TcpServer.bind(group, host, port, c);
      udp = UdpChannel.bind(group, host, port, c);
      return;
    }
    for (int attempt = 1; ; attempt++) {
      tcp = TcpServer.bind(group, host, 0, c);
      try {
        udp = UdpChannel.bind(group, host, tcp.port(), c);
        return;
      } catch (BindException e) {
        tcp.close(); // UDP port number taken by someone else: try another
        tcp = null;
        if (attempt == EPHEMERAL_BIND_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * The advertised endpoint: the advertised (or bind) host and the bound port.
   *
   * @throws IllegalStateException before {@link #start}
   */
  @Override
  public Endpoint localEndpoint() {
    TransportContext c = ctx;
    if (c == null) {
      throw new IllegalStateException("transport not started");
    }
    return c.local();
  }

  /**
   * Sends {@code message} over the ordered stream to {@code to}. Never blocks; dropped (and
   * counted) if the peer's queue is full, its connection fails, or the transport is closed.
   *
   * @throws IllegalStateException before {@link #start}
   * @throws IllegalArgumentException if the message type has no wire form
   */
  @Override
  public void send(Endpoint to, Message message) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(message, "message");
    TransportContext c = started();
    peers.send(to, ProtoMapper.setBody(c.newEnvelope(), message));
  }

  /**
   * Sends {@code message} in one datagram to {@code to}, or over the stream if its encoding is
   * larger than the datagram limit (counted in {@code DATAGRAM_FALLBACKS}).
   *
   * @throws IllegalStateException before {@link #start}
   * @throws IllegalArgumentException if the message type has no wire form
   */
  @Override
  public void sendDatagram(Endpoint to, Message message) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(message, "message");
    TransportContext c = started();
    Envelope.Builder builder = ProtoMapper.setBody(c.newEnvelope(), message);
    if (closed) {
      metrics.increment(Counter.DROPPED_UNREACHABLE);
      return;
    }
    Envelope envelope = builder.build();
    if (envelope.getSerializedSize() > config.maxDatagramBytes()) {
      metrics.increment(Counter.DATAGRAM_FALLBACKS);
      peers.send(to, envelope.toBuilder());
      return;
    }
    udp.send(to, envelope);
  }

  private TransportContext started() {
    TransportContext c = ctx;
    if (c == null) {
      throw new IllegalStateException("transport not started");
    }
    return c;
  }

  /** Closes every connection and socket and stops the I/O threads; waits (bounded). Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (!started) {
        stopGroup();
        return;
      }
      shutdown();
      log.info("cluster transport on {} closed", ctx != null ? ctx.local() : "(unbound)");
    }
  }

  private void shutdown() {
    if (peers != null) {
      peers.close();
    }
    if (udp != null) {
      udp.close();
    }
    if (tcp != null) {
      tcp.close();
    }
    stopGroup();
  }

  /**
   * The Netty event loop group this transport reads and writes on. Another Netty server of the
   * same process (the HTTP adapter) may serve on it, to share the thread; it is shut down when
   * this transport closes, so whatever serves on it must close first.
   */
  public EventLoopGroup eventLoopGroup() {
    return group;
  }

  private void stopGroup() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /**
   * The I/O thread's loop when the transport has one thread ({@link NettyTransportConfig#ioThreads}
   * = 1, the default), else {@code null}. Every connection and the datagram channel read and write
   * on it, so work run there receives messages and sends them without a thread hand-off.
   */
  @Override
  public io.kvstore.spi.EventLoop eventLoop() {
    return sharedLoop;
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0")
        || host.equals("::")
        || host.equals("[::]")
        || host.equals("0:0:0:0:0:0:0:0");
  }

  @Override
  public String toString() {
    TransportContext c = ctx;
    return "NettyTransport{"
        + (c != null ? c.local() : "not started")
        + ", cluster="
        + config.clusterName()
        + '}';
  }
}
