package io.kvstore.examples.node;

import io.kvstore.KvStore;
import io.kvstore.KvStoreBuilder;
import io.kvstore.OutcomeUnknownException;
import io.kvstore.QuorumUnavailableException;
import java.util.concurrent.TimeUnit;
import io.kvstore.http.HttpAdapter;
import io.kvstore.net.NettyTransport;
import io.kvstore.net.NettyTransportConfig;
import io.kvstore.spi.Endpoint;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: a started {@link KvStore} and the {@link HttpAdapter} serving it.
 *
 * <p>{@link #start(NodeSettings)} returns once the node serves HTTP. {@link #close()} stops
 * accepting HTTP connections, lets in-flight requests finish, then closes the store; it is
 * idempotent and thread-safe.
 */
public final class StandaloneNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StandaloneNode.class);

  /** Slack over the value limit for the JSON envelope of a PUT body ({@code {"value": ...}}). */
  private static final int BODY_OVERHEAD_BYTES = 16 * 1024;

  private final NodeSettings settings;
  private final KvStore store;
  private final HttpAdapter http;
  private final String httpUrl;
  private final AtomicBoolean closed = new AtomicBoolean();

  private StandaloneNode(NodeSettings settings, KvStore store, HttpAdapter http) {
    this.settings = settings;
    this.store = store;
    this.http = http;
    this.httpUrl = settings.httpUrl(http.port());
  }

  /**
   * Builds and starts the store, then binds and starts the HTTP adapter.
   *
   * @throws IllegalArgumentException if the store rejects the configuration
   * @throws NodeStartException if the node cannot start (the store is closed again)
   */
  public static StandaloneNode start(NodeSettings settings) {
    Objects.requireNonNull(settings, "settings");
    KvStoreBuilder builder =
        KvStore.builder().partitions(settings.partitions()).maxValueBytes(settings.maxValueBytes());
    settings.nodeId().ifPresent(builder::nodeName);
    NettyTransport transport =
        NettyTransport.create(
            NettyTransportConfig.builder()
                .bindHost(settings.bindHost())
                .port(settings.clusterPort())
                .advertisedHost(settings.advertiseHost())
                .build());
    builder
        .transport(transport)
        .clusterAddress(new Endpoint(settings.bindHost(), settings.clusterPort()).toString())
        .bootstrapExpect(settings.bootstrapExpect())
        .deadMemberGrace(settings.deadMemberGrace());
    if (!settings.seeds().isEmpty()) {
      builder.seeds(settings.seeds().stream().map(Endpoint::toString).toList());
    }
    if (settings.httpPort() != 0) {
      builder.metadata(Map.of("http", settings.httpUrl(settings.httpPort())));
    }
    KvStore store = builder.build();
    try {
      store.start();
    } catch (RuntimeException e) {
      store.close();
      transport.close();
      String where = settings.bindHost() + ":" + settings.clusterPort();
      if (addressInUse(e)) {
        throw new NodeStartException(
            "cannot listen on " + where + ": address already in use (choose another --cluster-port)",
            e);
      }
      throw new NodeStartException("cannot start the store: " + rootMessage(e), e);
    }
    HttpAdapter.Builder http =
        HttpAdapter.builder(store)
            .host(settings.bindHost())
            .port(settings.httpPort())
            .maxBodyBytes(bodyLimit(settings.maxValueBytes()));
    if (settings.httpThreads() == 0) {
      // One thread per node for HTTP, replication and the cluster's sockets: no hand-offs.
      http.eventLoopGroup(transport.eventLoopGroup());
    } else {
      http.ioThreads(settings.httpThreads());
    }
    if (settings.httpPort() != 0) {
      http.advertisedUrl(settings.httpUrl(settings.httpPort()));
    }
    try {
      StandaloneNode node = new StandaloneNode(settings, store, http.build().start());
      node.awaitServing();
      return node;
    } catch (RuntimeException e) {
      store.close();
      String where = settings.bindHost() + ":" + settings.httpPort();
      if (addressInUse(e)) {
        throw new NodeStartException(
            "cannot listen on " + where + ": address already in use (choose another --http-port)",
            e);
      }
      throw new NodeStartException(
          "cannot start the HTTP server on " + where + ": " + rootMessage(e), e);
    }
  }

  /**
   * Waits until the store answers reads, that is until this node has joined or formed its
   * cluster's configuration, so that "ready" means requests succeed. HTTP already serves while it
   * waits (requests answer 503 until then). Waits as long as it takes: a node whose peers never
   * come is not ready.
   */
  private void awaitServing() {
    long nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        store.get("kvstore/ready-probe");
        return;
      } catch (QuorumUnavailableException | OutcomeUnknownException e) {
        if (System.nanoTime() - nextLog > 0) {
          log.info("node {} still waiting for its cluster: {}", name(), e.getMessage());
          nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  static int bodyLimit(int maxValueBytes) {
    return (int) Math.min(Integer.MAX_VALUE, (long) maxValueBytes + BODY_OVERHEAD_BYTES);
  }

  /** Whether a bind failure anywhere in the cause chain says the address is taken. */
  static boolean addressInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.BindException) {
        return true;
      }
      String m = t.getMessage();
      if (m != null && m.toLowerCase(Locale.ROOT).contains("address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.toString();
  }

  /** The node's name. */
  public String name() {
    return store.nodeId().name();
  }

  /** The store this node serves. */
  public KvStore store() {
    return store;
  }

  /** The HTTP base URL, with the advertised host and the bound port. */
  public String httpUrl() {
    return httpUrl;
  }

  /** The cluster address, {@code host:port}. */
  public String clusterAddress() {
    return settings.clusterEndpoint().toString();
  }

  /** The one line printed when the node serves. Scripts look for the word {@code ready}. */
  public String readyLine() {
    return "kvstore node " + name() + " ready: http=" + httpUrl + " cluster=" + clusterAddress();
  }

  /** The line printed after a graceful stop. */
  public String stoppedLine() {
    return "kvstore node " + name() + " stopped";
  }

  /** Stops HTTP (finishing in-flight requests), then closes the store. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.info("{} stopping: closing HTTP, then the store", name());
    try {
      http.close();
    } finally {
      store.close();
    }
  }
}
