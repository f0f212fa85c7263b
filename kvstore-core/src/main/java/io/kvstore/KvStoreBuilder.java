package io.kvstore;

import io.kvstore.internal.node.ClusterNode;
import io.kvstore.internal.node.LocalNode;
import io.kvstore.internal.node.NodeConfig;
import io.kvstore.internal.node.SyncKvStore;
import io.kvstore.internal.membership.MembershipConfig;
import io.kvstore.spi.Clock;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.Transport;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.random.RandomGenerator;

/**
 * Configures and builds a {@link KvStore}. One setter per concern; setting one twice is a
 * programming error ({@link IllegalStateException}). {@link #build()} validates the whole
 * configuration and starts nothing.
 *
 * <p>Not thread-safe; build once, then share the store.
 */
public final class KvStoreBuilder {
  /** Default key size limit: 1 KiB of UTF-8. */
  public static final int DEFAULT_MAX_KEY_BYTES = 1024;
  /** Default value size limit: 1 MiB. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
  /** Default partition count. Fixed for the life of a cluster. */
  public static final int DEFAULT_PARTITIONS = 256;

  private String nodeName;
  private String clusterName;
  private Integer partitions;
  private Integer eventLoops;
  private Integer maxKeyBytes;
  private Integer maxValueBytes;
  private Duration operationTimeout;
  private Clock clock;
  private RandomGenerator random;
  private Executor listenerExecutor;
  private Integer replicationFactor;
  private Integer bootstrapExpect;
  private Duration deadMemberGrace;
  private Transport transport;
  private Endpoint clusterAddress;
  private List<String> seeds;
  private Map<String, String> metadata;
  private String membershipProfile;

  KvStoreBuilder() {}

  private static void once(Object current, String name) {
    if (current != null) {
      throw new IllegalStateException(name + " was already set");
    }
  }

  /** The human-readable node name (default: {@code node-} and random hex). */
  public KvStoreBuilder nodeName(String name) {
    once(nodeName, "nodeName");
    this.nodeName = Objects.requireNonNull(name, "name");
    return this;
  }

  /**
   * The cluster name (default {@code kvstore}), used in this node's logs. The transport enforces
   * the name on the wire (kvstore-net's {@code NettyTransportConfig.clusterName}): nodes refuse
   * traffic from other cluster names, so two clusters on one network never merge by accident. Give
   * both the same name.
   */
  public KvStoreBuilder clusterName(String name) {
    once(clusterName, "clusterName");
    this.clusterName = Objects.requireNonNull(name, "name");
    return this;
  }

  /** The number of partitions (default 256), fixed when the cluster is created. */
  public KvStoreBuilder partitions(int count) {
    once(partitions, "partitions");
    this.partitions = count;
    return this;
  }

  /**
   * The number of event-loop threads partitions are spread over (default: the number of
   * processors, at most 4).
   */
  public KvStoreBuilder eventLoops(int count) {
    once(eventLoops, "eventLoops");
    this.eventLoops = count;
    return this;
  }

  /** Maximum key size in UTF-8 bytes (default 1024). */
  public KvStoreBuilder maxKeyBytes(int bytes) {
    once(maxKeyBytes, "maxKeyBytes");
    this.maxKeyBytes = bytes;
    return this;
  }

  /** Maximum value size in bytes (default 1 MiB). */
  public KvStoreBuilder maxValueBytes(int bytes) {
    once(maxValueBytes, "maxValueBytes");
    this.maxValueBytes = bytes;
    return this;
  }

  /**
   * How long an operation may take before it fails (default 5 s). A write that times out after it
   * left this node ends with {@link OutcomeUnknownException}.
   */
  public KvStoreBuilder operationTimeout(Duration timeout) {
    once(operationTimeout, "operationTimeout");
    this.operationTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** The time source for timeouts and TTLs (default: the system's monotonic clock). For tests. */
  public KvStoreBuilder clock(Clock clock) {
    once(this.clock, "clock");
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** The random source for ids, probe order and backoff jitter. For deterministic tests. */
  public KvStoreBuilder random(RandomGenerator random) {
    once(this.random, "random");
    this.random = Objects.requireNonNull(random, "random");
    return this;
  }

  /** Where membership listeners are called (default: the common fork-join pool). */
  public KvStoreBuilder listenerExecutor(Executor executor) {
    once(listenerExecutor, "listenerExecutor");
    this.listenerExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * The cluster transport (for example kvstore-net's Netty transport). Without one the store is a
   * single node; with one, {@code start()} binds it and runs the SWIM membership protocol.
   */
  public KvStoreBuilder transport(Transport transport) {
    once(this.transport, "transport");
    this.transport = Objects.requireNonNull(transport, "transport");
    return this;
  }

  /**
   * Where the transport binds, {@code host:port} (default {@code 127.0.0.1:0}: loopback, an
   * ephemeral port). Other members reach this node at the address the transport advertises.
   */
  public KvStoreBuilder clusterAddress(String hostPort) {
    once(clusterAddress, "clusterAddress");
    this.clusterAddress = Endpoint.parse(hostPort);
    return this;
  }

  /**
   * Seed members to join through, {@code host:port} each. A host name with several addresses
   * stands for all of them; this node's own address is ignored; seeds are retried for as long as
   * any is not a live member. Default: none (bootstrap a new cluster).
   */
  public KvStoreBuilder seeds(List<String> hostPorts) {
    once(seeds, "seeds");
    for (String s : hostPorts) {
      Endpoint.parse(s); // fail fast on a malformed address
    }
    this.seeds = List.copyOf(hostPorts);
    return this;
  }

  /** Same as {@link #seeds(List)}. */
  public KvStoreBuilder seeds(String... hostPorts) {
    return seeds(Arrays.asList(hostPorts));
  }

  /** Metadata published to other members, for example {@code http → http://host:8000}. */
  public KvStoreBuilder metadata(Map<String, String> metadata) {
    once(this.metadata, "metadata");
    this.metadata = Map.copyOf(metadata);
    return this;
  }

  /**
   * Membership timers: {@code "lan"} (default; probe every 1 s, like memberlist's LAN profile) or
   * {@code "local"} (about five times faster, for clusters on one machine and tests).
   */
  public KvStoreBuilder membershipProfile(String profile) {
    once(membershipProfile, "membershipProfile");
    this.membershipProfile = Objects.requireNonNull(profile, "profile");
    return this;
  }

  /**
   * Replicas per partition (default 3; capped at the number of members). Each key survives the
   * loss of any minority of its replicas.
   */
  public KvStoreBuilder replicationFactor(int replicas) {
    once(replicationFactor, "replicationFactor");
    this.replicationFactor = replicas;
    return this;
  }

  /**
   * How many members form a new cluster together (default 1). With N above 1, nodes started with
   * each other as seeds wait until N members are alive, then form the cluster's first
   * configuration with exactly those members. A node whose seeds lead to an already formed cluster
   * joins that cluster instead. Only such nodes found a cluster: a node with seeds and N of 1 only
   * joins one, and is never counted among the N of nodes forming one (add nodes that way).
   */
  public KvStoreBuilder bootstrapExpect(int members) {
    once(bootstrapExpect, "bootstrapExpect");
    this.bootstrapExpect = members;
    return this;
  }

  /**
   * How long a member may stay dead (by failure detection) before it is removed from the
   * configuration and its partitions are re-replicated on the others (default 30 s). A member that
   * comes back under a new identity within that time (a restarted process) replaces its
   * predecessor at once.
   */
  public KvStoreBuilder deadMemberGrace(Duration grace) {
    once(deadMemberGrace, "deadMemberGrace");
    this.deadMemberGrace = Objects.requireNonNull(grace, "grace");
    return this;
  }

  /**
   * Validates the configuration and builds the store, which is not started yet.
   *
   * @throws IllegalArgumentException naming the first invalid setting
   */
  public KvStore build() {
    if (transport == null && (seeds != null || clusterAddress != null)) {
      throw new IllegalArgumentException("seeds and clusterAddress need a transport");
    }
    RandomGenerator rnd = random != null ? random : new SplittableRandom();
    String name = nodeName != null ? nodeName : "node-" + Long.toHexString(rnd.nextLong() >>> 40);
    NodeConfig config =
        new NodeConfig(
            new NodeId(name, rnd.nextLong()),
            clusterName != null ? clusterName : "kvstore",
            partitions != null ? partitions : DEFAULT_PARTITIONS,
            eventLoops != null
                ? eventLoops
                : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
            maxKeyBytes != null ? maxKeyBytes : DEFAULT_MAX_KEY_BYTES,
            maxValueBytes != null ? maxValueBytes : DEFAULT_MAX_VALUE_BYTES,
            operationTimeout != null ? operationTimeout.toNanos() : Duration.ofSeconds(5).toNanos(),
            clock != null ? clock : Clock.system(),
            rnd,
            listenerExecutor != null ? listenerExecutor : ForkJoinPool.commonPool(),
            transport,
            clusterAddress != null ? clusterAddress : new Endpoint("127.0.0.1", 0),
            seeds != null ? seeds : List.of(),
            metadata != null ? metadata : Map.of(),
            MembershipConfig.profile(membershipProfile != null ? membershipProfile : "lan"),
            replicationFactor != null ? replicationFactor : 3,
            bootstrapExpect != null ? bootstrapExpect : 1,
            deadMemberGrace != null ? deadMemberGrace.toNanos() : Duration.ofSeconds(30).toNanos());
    if (transport == null && config.bootstrapExpect() > 1) {
      throw new IllegalArgumentException("bootstrapExpect above 1 needs a transport");
    }
    return new SyncKvStore(transport == null ? new LocalNode(config) : new ClusterNode(config));
  }
}
