package io.kvstore.examples.bench;

import io.kvstore.AsyncKvStore;
import io.kvstore.ContentionException;
import io.kvstore.KeyTooLargeException;
import io.kvstore.KvException;
import io.kvstore.KvStore;
import io.kvstore.KvStoreBuilder;
import io.kvstore.net.NettyTransport;
import io.kvstore.net.NettyTransportConfig;
import io.kvstore.net.TransportMetrics;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.kvstore.OutcomeUnknownException;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.StoreClosedException;
import io.kvstore.ValueTooLargeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Drives stores started in this JVM through {@link KvStore#async()}, so that the measurement
 * includes the store's own path and no network. Futures complete on the store's event loops.
 */
final class EmbeddedTarget implements Target {
  /** Counter names of {@link #counters()}. */
  static final String MESSAGES = "cluster_messages";
  static final String BYTES = "cluster_bytes";
  static final String ALLOCATED = "allocated_bytes";

  private final KvStore[] stores;
  private final List<NettyTransport> transports;
  private final byte[] value;
  private final boolean owned;

  /**
   * Creates a target over running stores.
   *
   * @param stores the stores, spread over by client index
   * @param valueSize the size of written values in bytes
   * @param owned whether {@link #close()} closes the stores
   */
  EmbeddedTarget(KvStore[] stores, int valueSize, boolean owned) {
    this(stores, List.of(), valueSize, owned);
  }

  private EmbeddedTarget(KvStore[] stores, List<NettyTransport> transports, int valueSize, boolean owned) {
    if (stores.length == 0) {
      throw new IllegalArgumentException("no stores");
    }
    this.stores = stores.clone();
    this.transports = List.copyOf(transports);
    this.value = new byte[valueSize];
    for (int i = 0; i < valueSize; i++) {
      value[i] = (byte) ('a' + i % 26);
    }
    this.owned = owned;
  }

  /**
   * Starts {@code nodes} stores in this JVM. One node is a plain single-node store; more form a
   * replicated cluster over loopback Netty (ephemeral ports), which this waits for.
   */
  static EmbeddedTarget start(int nodes, int valueSize) {
    int maxValue = Math.max(valueSize, 1024 * 1024);
    if (nodes == 1) {
      KvStore store = KvStore.builder().nodeName("bench-1").maxValueBytes(maxValue).build().start();
      return new EmbeddedTarget(new KvStore[] {store}, valueSize, true);
    }
    KvStore[] stores = new KvStore[nodes];
    List<String> seeds = new ArrayList<>();
    List<NettyTransport> transports = new ArrayList<>();
    try {
      for (int i = 0; i < nodes; i++) {
        NettyTransport t = NettyTransport.create(NettyTransportConfig.builder().port(0).build());
        transports.add(t);
        KvStoreBuilder b = KvStore.builder().nodeName("bench-" + (i + 1)).maxValueBytes(maxValue)
            .transport(t).clusterAddress("127.0.0.1:0").bootstrapExpect(nodes)
            .membershipProfile("local");
        if (!seeds.isEmpty()) {
          b.seeds(seeds);
        }
        stores[i] = b.build().start();
        seeds.add(t.localEndpoint().toString());
      }
      awaitFormed(stores);
    } catch (RuntimeException e) {
      for (KvStore s : stores) {
        if (s != null) {
          s.close();
        }
      }
      throw e;
    }
    return new EmbeddedTarget(stores, transports, valueSize, true);
  }

  /**
   * Messages and bytes the nodes sent to each other (TCP and UDP: replication and membership
   * gossip), and bytes allocated by this JVM's live threads (the generator's own included).
   */
  @Override
  public Map<String, Long> counters() {
    Map<String, Long> c = new LinkedHashMap<>();
    if (!transports.isEmpty()) {
      long messages = 0;
      long bytes = 0;
      for (NettyTransport t : transports) {
        TransportMetrics m = t.metrics();
        messages += m.get(TransportMetrics.Counter.TCP_MESSAGES_OUT) + m.get(TransportMetrics.Counter.UDP_MESSAGES_OUT);
        bytes += m.get(TransportMetrics.Counter.TCP_BYTES_OUT) + m.get(TransportMetrics.Counter.UDP_BYTES_OUT);
      }
      c.put(MESSAGES, messages);
      c.put(BYTES, bytes);
    }
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
        && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
      long allocated = 0;
      for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
        if (b > 0) {
          allocated += b;
        }
      }
      c.put(ALLOCATED, allocated);
    }
    return c;
  }

  /** Waits (bounded) until a write through every node succeeds. */
  private static void awaitFormed(KvStore[] stores) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (KvStore s : stores) {
      while (true) {
        try {
          s.put("bench/ready", new byte[1]);
          break;
        } catch (KvException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the embedded cluster did not form in 30 s", e);
          }
          try {
            Thread.sleep(50);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ie);
          }
        }
      }
    }
  }

  @Override
  public CompletableFuture<Result> execute(Op op) {
    AsyncKvStore store = stores[Math.floorMod(op.client(), stores.length)].async();
    CompletableFuture<Result> result;
    try {
      switch (op.type()) {
        case PUT:
          result = store.put(op.key(), value).thenApply(v -> Result.OK);
          break;
        case GET:
          result = store.get(op.key()).thenApply(v -> Result.OK);
          break;
        case PUT_IF_ABSENT:
          result = store.putIfAbsent(op.key(), value).thenApply(EmbeddedTarget::conflictUnless);
          break;
        case CAS:
          result =
              store
                  .get(op.key())
                  .thenCompose(
                      cur ->
                          store.compareAndSet(
                              op.key(), cur.isPresent() ? cur.get().version() : 0, value))
                  .thenApply(EmbeddedTarget::conflictUnless);
          break;
        default:
          throw new AssertionError(op.type());
      }
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(classify(e));
    }
    return result.exceptionally(EmbeddedTarget::classify);
  }

  private static Result conflictUnless(boolean applied) {
    return applied ? Result.OK : Result.CONFLICT;
  }

  /** Maps a store exception to an error kind. */
  static Result classify(Throwable t) {
    Throwable e = t;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof QuorumUnavailableException) {
      return Result.UNAVAILABLE;
    }
    if (e instanceof OutcomeUnknownException) {
      return Result.UNKNOWN_OUTCOME;
    }
    if (e instanceof StoreClosedException
        || e instanceof ContentionException
        || e instanceof KeyTooLargeException
        || e instanceof ValueTooLargeException
        || e instanceof IllegalArgumentException) {
      return Result.REFUSED;
    }
    return Result.ERROR;
  }

  @Override
  public String describe() {
    return "embedded(" + stores.length + (stores.length == 1 ? " node)" : " nodes)");
  }

  @Override
  public void close() {
    if (owned) {
      for (KvStore s : stores) {
        s.close();
      }
    }
  }
}
