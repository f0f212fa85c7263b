package io.kvstore.net;

import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.codec.EnvelopeHeaders;
import io.kvstore.net.codec.FrameCodec;
import io.kvstore.net.codec.ProtoDecodeException;
import io.kvstore.net.codec.ProtoMapper;
import io.kvstore.net.proto.Envelope;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Message;
import io.kvstore.spi.Transport;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the handlers of one transport share: configuration, counters, the frame codec, the local
 * advertised endpoint and the inbound callback. Wiring internal to kvstore-net, public only so that
 * its handler packages can reach it. Thread-safe.
 */
public final class TransportContext {
  private static final Logger log = LoggerFactory.getLogger(TransportContext.class);

  private final NettyTransportConfig config;
  private final TransportMetrics metrics;
  private final FrameCodec codec;
  private final Transport.Inbound inbound;
  private volatile Endpoint local;
  private volatile io.kvstore.net.proto.Endpoint localProto;

  /** Creates the context; {@link #setLocal} must be called before any packet is sent. */
  public TransportContext(
      NettyTransportConfig config, TransportMetrics metrics, Transport.Inbound inbound) {
    this.config = Objects.requireNonNull(config, "config");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.inbound = Objects.requireNonNull(inbound, "inbound");
    this.codec = new FrameCodec(config.maxFrameBytes(), metrics);
  }

  /** The transport's configuration. */
  public NettyTransportConfig config() {
    return config;
  }

  /** The transport's counters. */
  public TransportMetrics metrics() {
    return metrics;
  }

  /** The frame codec (its shared handlers count TCP traffic). */
  public FrameCodec codec() {
    return codec;
  }

  /** The cluster name. */
  public String cluster() {
    return config.clusterName();
  }

  /** Sets the advertised endpoint, once the port is bound. */
  public void setLocal(Endpoint local) {
    this.localProto = ProtoMapper.toProto(local);
    this.local = local;
  }

  /** The advertised endpoint. */
  public Endpoint local() {
    return local;
  }

  /** A new envelope carrying this node's header (version, cluster, sender). */
  public Envelope.Builder newEnvelope() {
    return EnvelopeHeaders.newEnvelope(config.clusterName(), localProto);
  }

  /**
   * Checks the header of a received envelope, counting and logging (once per source) a drop.
   *
   * @param source the remote address, for the log
   * @return whether the envelope may be read
   */
  public boolean acceptHeader(Envelope envelope, String source) {
    Counter drop = EnvelopeHeaders.check(envelope, config.clusterName());
    if (drop == null) {
      return true;
    }
    metrics.increment(drop);
    if (drop == Counter.DROPPED_WRONG_CLUSTER) {
      metrics.warnOnce(
          log,
          "wrong-cluster",
          source,
          "dropping packets of cluster '"
              + envelope.getCluster()
              + "' (this is '"
              + config.clusterName()
              + "')");
    } else if (drop == Counter.DROPPED_WRONG_VERSION) {
      metrics.warnOnce(
          log,
          "wrong-version",
          source,
          "dropping packets of unsupported protocol version "
              + Integer.toUnsignedLong(envelope.getProtocolVersion()));
    }
    return false;
  }

  /**
   * Maps the envelope's body to a message and hands it to the inbound callback.
   *
   * @param from the sender's advertised endpoint
   * @param messagesIn the counter of received messages for the channel type
   * @return false if the body was not a valid message (counted as garbage)
   */
  public boolean deliver(Endpoint from, Envelope envelope, Counter messagesIn) {
    Message message = decode(from, envelope, messagesIn);
    if (message == null) {
      return false;
    }
    deliver(from, message);
    return true;
  }

  /**
   * Maps the envelope's body to a message, counting it as received.
   *
   * @param from the sender's advertised endpoint, for the log
   * @param messagesIn the counter of received messages for the channel type
   * @return the message, or null if the body was not a valid message (counted as garbage)
   */
  public Message decode(Endpoint from, Envelope envelope, Counter messagesIn) {
    Message message;
    try {
      message = ProtoMapper.fromEnvelope(envelope);
    } catch (ProtoDecodeException e) {
      metrics.increment(Counter.DROPPED_GARBAGE);
      log.debug("dropping an invalid message from {}: {}", from, e.getMessage());
      return null;
    }
    metrics.increment(messagesIn);
    return message;
  }

  /** Hands a decoded message to the inbound callback; a failing callback is counted and logged. */
  public void deliver(Endpoint from, Message message) {
    try {
      inbound.receive(from, message);
    } catch (RuntimeException e) {
      // The callback's failure is not the peer's: keep the connection, count, log the first.
      metrics.increment(Counter.DELIVERY_FAILURES);
      metrics.warnOnce(log, "delivery", e.getClass().getName(), "the inbound callback threw " + e);
    }
  }

  /** Tells the inbound callback that the stream to {@code peer} broke; a failing callback is logged. */
  public void peerUnreachable(Endpoint peer) {
    try {
      inbound.peerUnreachable(peer);
    } catch (RuntimeException e) {
      metrics.warnOnce(log, "unreachable", e.getClass().getName(), "the inbound callback threw " + e);
    }
  }

  /** Tells the inbound callback that the stream to {@code peer} works again. */
  public void peerReachable(Endpoint peer) {
    try {
      inbound.peerReachable(peer);
    } catch (RuntimeException e) {
      metrics.warnOnce(log, "reachable", e.getClass().getName(), "the inbound callback threw " + e);
    }
  }

  /** The sender endpoint of a received envelope whose header was accepted. */
  public static Endpoint sender(Envelope envelope) throws ProtoDecodeException {
    return ProtoMapper.fromProto(envelope.getSender());
  }
}
