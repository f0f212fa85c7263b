package io.kvstore.internal.node;

import io.kvstore.NodeId;
import io.kvstore.internal.membership.MembershipConfig;
import io.kvstore.spi.Clock;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Transport;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * A validated node configuration, made by {@link io.kvstore.KvStoreBuilder}.
 *
 * @param nodeId this process's identity
 * @param clusterName the cluster name
 * @param partitions partition count
 * @param eventLoops number of partition event loops
 * @param maxKeyBytes key limit in UTF-8 bytes
 * @param maxValueBytes value limit in bytes
 * @param operationTimeoutNanos per-operation deadline
 * @param clock time source
 * @param random random source
 * @param listenerExecutor where listeners run
 * @param transport the cluster transport, or null for a single-node store without membership
 * @param clusterAddress where the transport binds (used only with a transport)
 * @param seeds seed addresses, {@code host:port}; names may resolve to several addresses
 * @param metadata user metadata published to other members (for example {@code http})
 * @param membership membership protocol tunables
 * @param replicationFactor replicas per partition (capped at the member count)
 * @param bootstrapExpect how many members form a new cluster together
 * @param deadMemberGraceNanos how long a member may stay dead before it is removed
 */
public record NodeConfig(
    NodeId nodeId,
    String clusterName,
    int partitions,
    int eventLoops,
    int maxKeyBytes,
    int maxValueBytes,
    long operationTimeoutNanos,
    Clock clock,
    RandomGenerator random,
    Executor listenerExecutor,
    Transport transport,
    Endpoint clusterAddress,
    List<String> seeds,
    Map<String, String> metadata,
    MembershipConfig membership,
    int replicationFactor,
    int bootstrapExpect,
    long deadMemberGraceNanos) {

  /** Validates every field with a precise message. */
  public NodeConfig {
    Objects.requireNonNull(clusterAddress, "clusterAddress");
    Objects.requireNonNull(membership, "membership");
    seeds = List.copyOf(seeds);
    metadata = Map.copyOf(metadata);
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(listenerExecutor, "listenerExecutor");
    require(!clusterName.isBlank(), "clusterName must not be blank");
    require(partitions >= 1 && partitions <= 65536, "partitions must be in [1, 65536]: " + partitions);
    require(eventLoops >= 1 && eventLoops <= 256, "eventLoops must be in [1, 256]: " + eventLoops);
    require(maxKeyBytes >= 1 && maxKeyBytes <= 64 * 1024, "maxKeyBytes must be in [1, 65536]: " + maxKeyBytes);
    require(
        maxValueBytes >= 0 && maxValueBytes <= 64 * 1024 * 1024,
        "maxValueBytes must be in [0, 64 MiB]: " + maxValueBytes);
    require(operationTimeoutNanos > 0, "operationTimeout must be positive");
    require(replicationFactor >= 1 && replicationFactor <= 7,
        "replicationFactor must be in [1, 7]: " + replicationFactor);
    require(deadMemberGraceNanos >= 0, "deadMemberGrace must not be negative");
    require(bootstrapExpect >= 1 && bootstrapExpect <= 64,
        "bootstrapExpect must be in [1, 64]: " + bootstrapExpect);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
