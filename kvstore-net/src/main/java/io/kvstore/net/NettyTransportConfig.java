package io.kvstore.net;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link NettyTransport}. Immutable; built with {@link #builder()}, which validates
 * every value in {@link Builder#build()}. Each default says why it is what it is.
 */
public final class NettyTransportConfig {
  /** Default cluster port, memberlist's: TCP and UDP both bind it. */
  public static final int DEFAULT_PORT = 7946;

  /** Default largest TCP frame payload: 16 MiB, room for a large push-pull. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  /**
   * Default largest datagram: 1400 bytes, like memberlist's UDPBufferSize, so that a datagram plus
   * IP and UDP headers fits a 1500-byte Ethernet MTU without fragmentation.
   */
  public static final int DEFAULT_MAX_DATAGRAM_BYTES = 1400;

  private final String bindHost;
  private final int port;
  private final String advertisedHost;
  private final String clusterName;
  private final int maxFrameBytes;
  private final int maxDatagramBytes;
  private final Duration connectTimeout;
  private final Duration reconnectBackoffMin;
  private final Duration reconnectBackoffMax;
  private final int outboundQueueLimit;
  private final int outboundBufferBytes;
  private final int ioThreads;

  private NettyTransportConfig(Builder b) {
    this.bindHost = b.bindHost;
    this.port = b.port;
    this.advertisedHost = b.advertisedHost;
    this.clusterName = b.clusterName;
    this.maxFrameBytes = b.maxFrameBytes;
    this.maxDatagramBytes = b.maxDatagramBytes;
    this.connectTimeout = b.connectTimeout;
    this.reconnectBackoffMin = b.reconnectBackoffMin;
    this.reconnectBackoffMax = b.reconnectBackoffMax;
    this.outboundQueueLimit = b.outboundQueueLimit;
    this.outboundBufferBytes = b.outboundBufferBytes;
    this.ioThreads = b.ioThreads;
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The host (IP literal or name) TCP and UDP bind; default {@code 127.0.0.1}. */
  public String bindHost() {
    return bindHost;
  }

  /** The cluster port; 0 picks a free one. Default {@link #DEFAULT_PORT}. */
  public int port() {
    return port;
  }

  /**
   * The host other nodes reach this one at, or {@code null} to advertise the bind host (which must
   * then not be a wildcard address).
   */
  public String advertisedHost() {
    return advertisedHost;
  }

  /** The cluster name carried by every packet; default {@code kvstore}. */
  public String clusterName() {
    return clusterName;
  }

  /** The largest TCP frame payload accepted or sent, in bytes. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** The largest datagram sent; larger datagram sends go over TCP. */
  public int maxDatagramBytes() {
    return maxDatagramBytes;
  }

  /** Bound on a TCP connect, and separately on the handshake that follows it. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The first reconnect delay after a failed connection; doubled per failure. */
  public Duration reconnectBackoffMin() {
    return reconnectBackoffMin;
  }

  /** The largest reconnect delay. */
  public Duration reconnectBackoffMax() {
    return reconnectBackoffMax;
  }

  /**
   * The most messages held for one peer (or for the datagram channel) between {@code send} and the
   * socket: while connecting, and in the hand-off to the I/O thread. Beyond it, sends are dropped
   * and counted.
   */
  public int outboundQueueLimit() {
    return outboundQueueLimit;
  }

  /**
   * The most bytes written to one connection and not yet taken by the kernel; beyond it, sends to
   * that peer are dropped and counted until it drains.
   */
  public int outboundBufferBytes() {
    return outboundBufferBytes;
  }

  /** Event loop threads shared by the TCP server, TCP clients and the UDP channel. */
  public int ioThreads() {
    return ioThreads;
  }

  @Override
  public String toString() {
    return "NettyTransportConfig{bind="
        + bindHost
        + ':'
        + port
        + ", advertisedHost="
        + advertisedHost
        + ", cluster="
        + clusterName
        + ", maxFrameBytes="
        + maxFrameBytes
        + ", maxDatagramBytes="
        + maxDatagramBytes
        + ", connectTimeout="
        + connectTimeout
        + ", reconnectBackoff="
        + reconnectBackoffMin
        + ".."
        + reconnectBackoffMax
        + ", outboundQueueLimit="
        + outboundQueueLimit
        + ", outboundBufferBytes="
        + outboundBufferBytes
        + ", ioThreads="
        + ioThreads
        + '}';
  }

  /**
   * Builds a {@link NettyTransportConfig}. Each setter may be called once ({@link
   * IllegalStateException} otherwise); {@link #build()} checks ranges.
   */
  public static final class Builder {
    private static final int UNSET = Integer.MIN_VALUE;

    private String bindHost;
    private int port = UNSET;
    private String advertisedHost;
    private String clusterName;
    private int maxFrameBytes = UNSET;
    private int maxDatagramBytes = UNSET;
    private Duration connectTimeout;
    private Duration reconnectBackoffMin;
    private Duration reconnectBackoffMax;
    private int outboundQueueLimit = UNSET;
    private int outboundBufferBytes = UNSET;
    private int ioThreads = UNSET;

    private Builder() {}

    /** The host TCP and UDP bind (default {@code 127.0.0.1}: safe; set it to serve a network). */
    public Builder bindHost(String host) {
      once(bindHost == null, "bindHost");
      this.bindHost = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The cluster port, 0 for any free port (default {@link #DEFAULT_PORT}). */
    public Builder port(int port) {
      once(this.port == UNSET, "port");
      this.port = port;
      return this;
    }

    /** The host advertised to other nodes (default: the bind host). */
    public Builder advertisedHost(String host) {
      once(advertisedHost == null, "advertisedHost");
      this.advertisedHost = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The cluster name (default {@code kvstore}, the core's default). */
    public Builder clusterName(String name) {
      once(clusterName == null, "clusterName");
      this.clusterName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The largest TCP frame payload (default 16 MiB; 1 KiB to 1 GiB). */
    public Builder maxFrameBytes(int bytes) {
      once(maxFrameBytes == UNSET, "maxFrameBytes");
      this.maxFrameBytes = bytes;
      return this;
    }

    /** The largest datagram (default 1400; 512 to 65507, the IPv4 UDP maximum). */
    public Builder maxDatagramBytes(int bytes) {
      once(maxDatagramBytes == UNSET, "maxDatagramBytes");
      this.maxDatagramBytes = bytes;
      return this;
    }

    /**
     * The connect and handshake timeout (default 2 s: a LAN answers in well under a millisecond,
     * and a peer that takes seconds to accept is as good as down for probing).
     */
    public Builder connectTimeout(Duration timeout) {
      once(connectTimeout == null, "connectTimeout");
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * The reconnect delay range (default 50 ms to 2 s: the first retry is quick for a restarting
     * peer, and a dead peer costs at most one attempt every 2 s).
     */
    public Builder reconnectBackoff(Duration min, Duration max) {
      once(reconnectBackoffMin == null, "reconnectBackoff");
      this.reconnectBackoffMin = Objects.requireNonNull(min, "min");
      this.reconnectBackoffMax = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * The per-peer outbound message limit (default 4096: a few seconds of protocol traffic to one
     * peer while a connection is being made).
     */
    public Builder outboundQueueLimit(int messages) {
      once(outboundQueueLimit == UNSET, "outboundQueueLimit");
      this.outboundQueueLimit = messages;
      return this;
    }

    /**
     * The per-connection socket buffer limit (default 8 MiB: bounded memory per slow peer, and
     * several round trips' worth of traffic at LAN speed).
     */
    public Builder outboundBufferBytes(int bytes) {
      once(outboundBufferBytes == UNSET, "outboundBufferBytes");
      this.outboundBufferBytes = bytes;
      return this;
    }

    /**
     * I/O threads (default 1: every peer connection of a node shares one thread, which coalesces
     * their reads and writes; 1 to 64).
     */
    public Builder ioThreads(int threads) {
      once(ioThreads == UNSET, "ioThreads");
      this.ioThreads = threads;
      return this;
    }

    /** Fills defaults, validates, and builds. */
    public NettyTransportConfig build() {
      if (bindHost == null) {
        bindHost = "127.0.0.1";
      }
      if (bindHost.isBlank()) {
        throw new IllegalArgumentException("bindHost must not be blank");
      }
      if (port == UNSET) {
        port = DEFAULT_PORT;
      }
      check(port >= 0 && port <= 65535, "port out of range 0..65535: " + port);
      if (advertisedHost != null && advertisedHost.isBlank()) {
        throw new IllegalArgumentException("advertisedHost must not be blank");
      }
      if (clusterName == null) {
        clusterName = "kvstore";
      }
      check(!clusterName.isBlank(), "clusterName must not be blank");
      maxFrameBytes = orDefault(maxFrameBytes, DEFAULT_MAX_FRAME_BYTES);
      check(
          maxFrameBytes >= 1024 && maxFrameBytes <= (1 << 30),
          "maxFrameBytes out of range 1024..2^30: " + maxFrameBytes);
      maxDatagramBytes = orDefault(maxDatagramBytes, DEFAULT_MAX_DATAGRAM_BYTES);
      check(
          maxDatagramBytes >= 512 && maxDatagramBytes <= 65507,
          "maxDatagramBytes out of range 512..65507: " + maxDatagramBytes);
      if (connectTimeout == null) {
        connectTimeout = Duration.ofSeconds(2);
      }
      check(
          !connectTimeout.isNegative()
              && !connectTimeout.isZero()
              && connectTimeout.toMillis() <= Integer.MAX_VALUE,
          "connectTimeout must be positive and fit in int milliseconds: " + connectTimeout);
      if (reconnectBackoffMin == null) {
        reconnectBackoffMin = Duration.ofMillis(50);
        reconnectBackoffMax = Duration.ofSeconds(2);
      }
      check(
          !reconnectBackoffMin.isNegative() && !reconnectBackoffMin.isZero(),
          "reconnectBackoff min must be positive: " + reconnectBackoffMin);
      check(
          reconnectBackoffMax.compareTo(reconnectBackoffMin) >= 0,
          "reconnectBackoff max " + reconnectBackoffMax + " below min " + reconnectBackoffMin);
      check(
          reconnectBackoffMax.compareTo(Duration.ofDays(1)) <= 0,
          "reconnectBackoff max above one day: " + reconnectBackoffMax);
      outboundQueueLimit = orDefault(outboundQueueLimit, 4096);
      check(outboundQueueLimit >= 1, "outboundQueueLimit must be positive: " + outboundQueueLimit);
      outboundBufferBytes = orDefault(outboundBufferBytes, 8 * 1024 * 1024);
      check(
          outboundBufferBytes >= 64 * 1024,
          "outboundBufferBytes below 64 KiB: " + outboundBufferBytes);
      ioThreads = orDefault(ioThreads, 1);
      check(ioThreads >= 1 && ioThreads <= 64, "ioThreads out of range 1..64: " + ioThreads);
      return new NettyTransportConfig(this);
    }

    private static int orDefault(int value, int dflt) {
      return value == UNSET ? dflt : value;
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }

    private static void once(boolean unset, String name) {
      if (!unset) {
        throw new IllegalStateException(name + " was already set");
      }
    }
  }
}
