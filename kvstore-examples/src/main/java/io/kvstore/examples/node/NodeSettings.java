package io.kvstore.examples.node;

import io.kvstore.spi.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated configuration of one standalone node, as the command line resolved it.
 *
 * @param nodeId the stable, human-readable node name, or empty to let the store pick one
 * @param bindHost the address the HTTP (and later the cluster) sockets bind to
 * @param advertiseHost the host printed in URLs and announced to other nodes
 * @param httpPort the HTTP port; 0 picks a free one
 * @param clusterPort the cluster port (TCP and UDP); 0 picks a free one
 * @param seeds cluster addresses of other nodes to join through (empty: bootstrap alone)
 * @param bootstrapExpect how many nodes form a new cluster together
 * @param maxValueBytes the largest value the store accepts, in bytes
 * @param partitions the partition count, fixed when the cluster is created
 * @param deadMemberGrace how long a member may stay dead before the cluster removes it and
 *     re-replicates its partitions on the others
 * @param httpThreads the HTTP adapter's own I/O threads; 0 serves HTTP on the cluster transport's
 *     thread
 */
public record NodeSettings(
    Optional<String> nodeId,
    String bindHost,
    String advertiseHost,
    int httpPort,
    int clusterPort,
    List<Endpoint> seeds,
    int bootstrapExpect,
    int maxValueBytes,
    int partitions,
    Duration deadMemberGrace,
    int httpThreads) {

  /** How long a dead member stays in the configuration unless told otherwise. */
  public static final Duration DEFAULT_DEAD_MEMBER_GRACE = Duration.ofSeconds(30);

  /** Checks the invariants the command line established; copies the seed list. */
  public NodeSettings {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(bindHost, "bindHost");
    Objects.requireNonNull(advertiseHost, "advertiseHost");
    seeds = List.copyOf(seeds);
    checkPort(httpPort, "httpPort");
    checkPort(clusterPort, "clusterPort");
    if (httpThreads < 0 || httpThreads > 64) {
      throw new IllegalArgumentException("httpThreads must be in 0..64: " + httpThreads);
    }
    if (bootstrapExpect < 1) {
      throw new IllegalArgumentException("bootstrapExpect must be at least 1: " + bootstrapExpect);
    }
    if (maxValueBytes < 1 || partitions < 1) {
      throw new IllegalArgumentException("maxValueBytes and partitions must be positive");
    }
    Objects.requireNonNull(deadMemberGrace, "deadMemberGrace");
    if (deadMemberGrace.isNegative()) {
      throw new IllegalArgumentException("deadMemberGrace must not be negative: " + deadMemberGrace);
    }
  }

  /** The same settings with the default grace for dead members, HTTP on the transport's thread. */
  public NodeSettings(
      Optional<String> nodeId,
      String bindHost,
      String advertiseHost,
      int httpPort,
      int clusterPort,
      List<Endpoint> seeds,
      int bootstrapExpect,
      int maxValueBytes,
      int partitions) {
    this(
        nodeId,
        bindHost,
        advertiseHost,
        httpPort,
        clusterPort,
        seeds,
        bootstrapExpect,
        maxValueBytes,
        partitions,
        DEFAULT_DEAD_MEMBER_GRACE,
        0);
  }

  private static void checkPort(int port, String name) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " out of range: " + port);
    }
  }

  /** Whether these settings ask for a cluster of more than one node. */
  public boolean multiNode() {
    return !seeds.isEmpty() || bootstrapExpect > 1;
  }

  /** The cluster address other nodes would use, {@code host:port}. */
  public Endpoint clusterEndpoint() {
    return new Endpoint(advertiseHost, clusterPort);
  }

  /** The HTTP base URL for a given (bound) port, using the advertised host. */
  public String httpUrl(int boundPort) {
    String host = advertiseHost.indexOf(':') >= 0 ? "[" + advertiseHost + "]" : advertiseHost;
    return "http://" + host + ":" + boundPort;
  }
}
