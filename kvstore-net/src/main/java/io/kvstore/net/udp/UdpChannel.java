package io.kvstore.net.udp;

import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.codec.FrameCodec;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP side of the cluster port: one datagram channel that receives gossip (through {@link
 * GossipDatagramHandler}) and sends it. Sends are handed to the channel's event loop, written
 * without flushing, and flushed once per event-loop turn. Thread-safe.
 */
public final class UdpChannel implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UdpChannel.class);

  /** Receive buffer per datagram: the UDP maximum, so a peer with a larger limit is not cut. */
  private static final int RECEIVE_BUFFER_BYTES = 65536;

  /** Resolved peer addresses kept; past it the cache is cleared (peers are few). */
  private static final int MAX_CACHED_ADDRESSES = 4096;

  private final Channel channel;
  private final EventLoop loop;
  private final TransportContext ctx;
  private final int queueLimit;
  private final AtomicInteger queued = new AtomicInteger();
  private final ConcurrentHashMap<Endpoint, InetSocketAddress> addresses =
      new ConcurrentHashMap<>();
  private final Runnable flushTask = this::flush;
  private final Runnable drainTask = this::drain;
  private final ConcurrentLinkedQueue<Outgoing> handoff = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private boolean flushScheduled; // event-loop state

  private UdpChannel(Channel channel, TransportContext ctx) {
    this.channel = channel;
    this.loop = channel.eventLoop();
    this.ctx = ctx;
    this.queueLimit = ctx.config().outboundQueueLimit();
  }

  /**
   * Binds {@code host:port} for datagrams.
   *
   * @throws IOException if the address cannot be bound
   */
  public static UdpChannel bind(EventLoopGroup group, String host, int port, TransportContext ctx)
      throws IOException {
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .option(
                ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER_BYTES))
            .handler(new GossipDatagramHandler(ctx));
    ChannelFuture f = b.bind(host, port).awaitUninterruptibly();
    if (!f.isSuccess()) {
      if (f.cause() instanceof IOException e) {
        throw e;
      }
      throw new IOException("cannot bind UDP " + host + ':' + port, f.cause());
    }
    return new UdpChannel(f.channel(), ctx);
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * Sends {@code envelope} (already checked against the datagram limit) to {@code to}. Never
   * blocks; may drop (counted when the hand-off queue is full).
   */
  public void send(Endpoint to, Envelope envelope) {
    InetSocketAddress address = resolve(to);
    if (queued.incrementAndGet() > queueLimit) {
      queued.decrementAndGet();
      ctx.metrics().increment(Counter.DROPPED_QUEUE_OVERFLOW);
      return;
    }
    if (loop.inEventLoop() && handoff.isEmpty()) {
      write(address, envelope);
      return;
    }
    handoff.add(new Outgoing(address, envelope));
    // One drain task per burst (see PeerConnection for why the flag is cleared first).
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(drainTask);
      } catch (RejectedExecutionException e) {
        drainScheduled.set(false);
        for (Outgoing o = handoff.poll(); o != null; o = handoff.poll()) {
          queued.decrementAndGet();
          ctx.metrics().increment(Counter.DROPPED_UNREACHABLE);
        }
      }
    }
  }

  private void drain() {
    drainScheduled.set(false);
    for (Outgoing o = handoff.poll(); o != null; o = handoff.poll()) {
      write(o.address, o.envelope);
    }
  }

  private void write(InetSocketAddress address, Envelope envelope) {
    queued.decrementAndGet();
    if (address.isUnresolved()) {
      ctx.metrics().increment(Counter.DROPPED_UNREACHABLE);
      return;
    }
    int size = envelope.getSerializedSize();
    ByteBuf buf = channel.alloc().ioBuffer(size);
    try {
      FrameCodec.writeEnvelope(envelope, size, buf);
    } catch (IOException | RuntimeException e) {
      buf.release();
      log.debug("cannot encode a datagram: {}", e.toString());
      return;
    }
    // Ownership of buf passes to the channel with the write.
    channel.write(new DatagramPacket(buf, address), channel.voidPromise());
    ctx.metrics().increment(Counter.UDP_MESSAGES_OUT);
    ctx.metrics().add(Counter.UDP_BYTES_OUT, size);
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(flushTask);
    }
  }

  private void flush() {
    flushScheduled = false;
    channel.flush();
  }

  private InetSocketAddress resolve(Endpoint to) {
    InetSocketAddress a = addresses.get(to);
    if (a == null) {
      if (addresses.size() >= MAX_CACHED_ADDRESSES) {
        addresses.clear();
      }
      a = new InetSocketAddress(to.host(), to.port());
      if (!a.isUnresolved()) {
        addresses.put(to, a);
      }
    }
    return a;
  }

  private record Outgoing(InetSocketAddress address, Envelope envelope) {}

  /** Unbinds; waits for the channel to close. */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
  }
}
