package io.kvstore.net.codec;

import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.proto.Envelope;

/**
 * The header checks every received envelope passes before its body is read: a supported protocol
 * version, this node's cluster name, and a sender endpoint. Thread-safe (stateless).
 */
public final class EnvelopeHeaders {
  private EnvelopeHeaders() {}

  /**
   * Why {@code envelope} must be dropped, or {@code null} if its header is acceptable for a node of
   * {@code cluster}. Version is checked first: another version may spell the cluster differently.
   */
  public static Counter check(Envelope envelope, String cluster) {
    if (!ProtocolVersion.isSupported(Integer.toUnsignedLong(envelope.getProtocolVersion()))) {
      return Counter.DROPPED_WRONG_VERSION;
    }
    if (!cluster.equals(envelope.getCluster())) {
      return Counter.DROPPED_WRONG_CLUSTER;
    }
    if (!envelope.hasSender()) {
      return Counter.DROPPED_GARBAGE;
    }
    return null;
  }

  /** A new envelope with this node's header filled in: current version, cluster, sender. */
  public static Envelope.Builder newEnvelope(String cluster, io.kvstore.net.proto.Endpoint sender) {
    return Envelope.newBuilder()
        .setProtocolVersion(ProtocolVersion.CURRENT)
        .setCluster(cluster)
        .setSender(sender);
  }
}
