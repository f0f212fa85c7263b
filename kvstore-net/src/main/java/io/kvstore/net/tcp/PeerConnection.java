package io.kvstore.net.tcp;

import io.kvstore.net.NettyTransportConfig;
import io.kvstore.net.TransportContext;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.kvstore.net.codec.FrameCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one outbound connection to one peer, connected lazily on the first send.
 *
 * <pre>
 *   IDLE --send--> CONNECTING --HelloReply accepted--> READY --closed--> IDLE
 *                   |  connect/handshake failed: drop queued, backoff *= 2
 *                   v
 *                BACKOFF --send: retry when the backoff expires--> CONNECTING
 * </pre>
 *
 * <p>Messages sent before the connection is READY wait in a queue, in order; every message between
 * {@link #send} and the socket counts against the outbound queue limit, and beyond it the send is
 * dropped and counted. A failed attempt drops what waited for it (counted unreachable): the
 * protocols above retry on their own terms, and stale messages are worse than lost ones.
 *
 * <p>Sends from other threads go through a lock-free hand-off queue drained by one task per burst.
 * Writes do not flush: the frames of an event-loop turn are encoded one after the other into one
 * buffer (a new one past {@value #COALESCE_BYTES} bytes), and the first write of the turn schedules
 * one flush task, which runs after the tasks already queued and hands the buffer to the channel. A
 * burst of sends costs one pipeline write and few syscalls, not one of each per message; the bytes
 * are the same frames.
 *
 * <p>Threading: {@link #send} and {@link #close} are thread-safe; everything else runs on the
 * peer's event loop, which also owns the channel, so no state needs a lock.
 */
final class PeerConnection {
  private static final Logger log = LoggerFactory.getLogger(PeerConnection.class);
  /** Frames gathered into one buffer before it is handed to the channel. */
  static final int COALESCE_BYTES = 64 * 1024;

  private enum State {
    IDLE,
    CONNECTING,
    READY,
    BACKOFF,
    CLOSED
  }

  private final Endpoint peer;
  private final EventLoop loop;
  private final TransportContext ctx;
  private final Bootstrap bootstrap;
  private final int queueLimit;
  private final int maxFrameBytes;
  private final long backoffMinNanos;
  private final long backoffMaxNanos;

  /** Messages accepted by {@link #send} and not yet written or dropped. */
  private final AtomicInteger queued = new AtomicInteger();

  private final Runnable flushTask = this::flush;
  private final Runnable drainTask = this::drain;

  /** Messages from other threads on their way to the event loop. */
  private final ConcurrentLinkedQueue<Envelope.Builder> handoff = new ConcurrentLinkedQueue<>();

  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  // Event-loop state.
  private final ArrayDeque<Envelope.Builder> pending = new ArrayDeque<>();
  private State state = State.IDLE;
  private Channel channel;
  private long lastRequestId;
  private long backoffNanos;
  private long backoffUntilNanos;
  private ScheduledFuture<?> retry;
  private boolean flushScheduled;
  /** Frames of this turn not yet handed to the channel, or null. */
  private ByteBuf out;
  /** Whether the inbound side was told this peer is unreachable (and not yet that it is back). */
  private boolean reportedUnreachable;

  PeerConnection(Endpoint peer, EventLoop loop, TransportContext ctx) {
    this.peer = peer;
    this.loop = loop;
    this.ctx = ctx;
    NettyTransportConfig config = ctx.config();
    this.queueLimit = config.outboundQueueLimit();
    this.maxFrameBytes = config.maxFrameBytes();
    this.backoffMinNanos = config.reconnectBackoffMin().toNanos();
    this.backoffMaxNanos = config.reconnectBackoffMax().toNanos();
    int high = config.outboundBufferBytes();
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ctx.codec().addTo(ch.pipeline());
                    ch.pipeline()
                        .addLast(
                            "clientHandshake",
                            new ClientHandshakeHandler(ctx, PeerConnection.this));
                  }
                });
  }

  Endpoint peer() {
    return peer;
  }

  /** Queues {@code envelope} (header and body set; request id not yet) for the peer. */
  void send(Envelope.Builder envelope) {
    if (queued.incrementAndGet() > queueLimit) {
      queued.decrementAndGet();
      ctx.metrics().increment(Counter.DROPPED_QUEUE_OVERFLOW);
      return;
    }
    if (loop.inEventLoop() && handoff.isEmpty()) {
      onSend(envelope);
      return;
    }
    handoff.add(envelope);
    // One drain task per burst, not one task per message: the flag is cleared before the drain
    // polls, so a message added after the drain's last poll always schedules a new drain.
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(drainTask);
      } catch (RejectedExecutionException e) {
        drainScheduled.set(false);
        dropHandoff();
      }
    }
  }

  private void drain() {
    drainScheduled.set(false);
    for (Envelope.Builder e = handoff.poll(); e != null; e = handoff.poll()) {
      onSend(e);
    }
  }

  private void dropHandoff() {
    for (Envelope.Builder e = handoff.poll(); e != null; e = handoff.poll()) {
      queued.decrementAndGet();
      ctx.metrics().increment(Counter.DROPPED_UNREACHABLE);
    }
  }

  /** Closes the connection and drops whatever waits; later sends are dropped. */
  void close() {
    try {
      loop.execute(this::onClose);
    } catch (RejectedExecutionException e) {
      // The loop is gone, and its channels with it.
    }
  }

  private void onSend(Envelope.Builder envelope) {
    switch (state) {
      case READY:
        write(envelope);
        break;
      case IDLE:
        pending.add(envelope);
        connect();
        break;
      case CONNECTING:
        pending.add(envelope);
        break;
      case BACKOFF:
        pending.add(envelope);
        scheduleRetry();
        break;
      case CLOSED:
      default:
        queued.decrementAndGet();
        ctx.metrics().increment(Counter.DROPPED_UNREACHABLE);
        break;
    }
  }

  private void connect() {
    state = State.CONNECTING;
    lastRequestId = 0;
    ChannelFuture f = bootstrap.connect(peer.host(), peer.port());
    Channel ch = f.channel();
    channel = ch;
    ch.closeFuture().addListener(x -> onClosedAnyThread(ch));
    f.addListener(
        x -> {
          if (!x.isSuccess()) {
            log.debug("cannot connect to {}: {}", peer, String.valueOf(x.cause()));
            ch.close();
          }
        });
  }

  /** Called by the handshake handler, on this loop, when the peer accepted the Hello. */
  void onReady(Channel ch) {
    if (ch != channel || state != State.CONNECTING) {
      ch.close();
      return;
    }
    state = State.READY;
    backoffNanos = 0;
    log.debug("connected to {}", peer);
    if (reportedUnreachable) {
      reportedUnreachable = false;
      ctx.peerReachable(peer);
    }
    for (Envelope.Builder e = pending.poll(); e != null; e = pending.poll()) {
      write(e);
    }
  }

  /** The next envelope of this connection: sets the request id and builds. */
  Envelope nextEnvelope(Envelope.Builder builder) {
    return builder.setRequestId(++lastRequestId).build();
  }

  private void write(Envelope.Builder builder) {
    queued.decrementAndGet();
    Envelope envelope = nextEnvelope(builder);
    if (envelope.getSerializedSize() > maxFrameBytes) {
      ctx.metrics().increment(Counter.DROPPED_OVERSIZE);
      log.debug(
          "dropping a {} of {} bytes to {}: above the frame limit",
          envelope.getBodyCase(),
          envelope.getSerializedSize(),
          peer);
      return;
    }
    if (!channel.isWritable()) {
      ctx.metrics().increment(Counter.DROPPED_QUEUE_OVERFLOW);
      return;
    }
    int size = envelope.getSerializedSize();
    if (out != null && out.writableBytes() < FrameCodec.LENGTH_PREFIX_BYTES + size
        && out.readableBytes() >= COALESCE_BYTES) {
      channel.write(out, channel.voidPromise());
      out = null;
    }
    if (out == null) {
      out = channel.alloc().ioBuffer(Math.max(COALESCE_BYTES, FrameCodec.LENGTH_PREFIX_BYTES + size));
    }
    try {
      out.writeInt(size);
      FrameCodec.writeEnvelope(envelope, size, out);
    } catch (IOException | RuntimeException e) {
      // Serialization of a built message does not fail short of a bug; never leave half a frame.
      log.warn("cannot encode a {} to {}", envelope.getBodyCase(), peer, e);
      out.release();
      out = null;
      channel.close();
      return;
    }
    ctx.metrics().increment(Counter.TCP_MESSAGES_OUT);
    ctx.metrics().add(Counter.TCP_BYTES_OUT, FrameCodec.LENGTH_PREFIX_BYTES + (long) size);
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(flushTask);
    }
  }

  private void flush() {
    flushScheduled = false;
    ByteBuf b = out;
    out = null;
    if (state == State.READY && channel != null) {
      if (b != null) {
        channel.write(b, channel.voidPromise());
      }
      channel.flush();
    } else if (b != null) {
      b.release();
    }
  }

  /** Drops the frames not yet handed to a channel that is gone. */
  private void releaseOut() {
    if (out != null) {
      out.release();
      out = null;
    }
  }

  private void onClosedAnyThread(Channel ch) {
    if (loop.inEventLoop()) {
      onClosed(ch);
      return;
    }
    try {
      loop.execute(() -> onClosed(ch));
    } catch (RejectedExecutionException e) {
      // Shutting down.
    }
  }

  private void onClosed(Channel ch) {
    if (ch != channel) {
      return;
    }
    channel = null;
    releaseOut();
    if (state == State.READY) {
      log.debug("connection to {} closed", peer);
      state = State.IDLE;
      reportUnreachable();
    } else if (state == State.CONNECTING) {
      dropPending(Counter.DROPPED_UNREACHABLE);
      reportUnreachable();
      backoffNanos =
          backoffNanos == 0 ? backoffMinNanos : Math.min(backoffNanos * 2, backoffMaxNanos);
      backoffUntilNanos = System.nanoTime() + backoffNanos;
      state = State.BACKOFF;
    }
  }

  private void reportUnreachable() {
    if (!reportedUnreachable) {
      reportedUnreachable = true;
      ctx.peerUnreachable(peer);
    }
  }

  private void scheduleRetry() {
    if (retry != null) {
      return;
    }
    long delay = Math.max(0, backoffUntilNanos - System.nanoTime());
    retry =
        loop.schedule(
            () -> {
              retry = null;
              if (state == State.BACKOFF && !pending.isEmpty()) {
                connect();
              }
            },
            delay,
            TimeUnit.NANOSECONDS);
  }

  private void onClose() {
    state = State.CLOSED;
    dropPending(Counter.DROPPED_UNREACHABLE);
    if (retry != null) {
      retry.cancel(false);
      retry = null;
    }
    releaseOut();
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private void dropPending(Counter reason) {
    int n = pending.size();
    if (n > 0) {
      pending.clear();
      queued.addAndGet(-n);
      ctx.metrics().add(reason, n);
    }
  }
}
