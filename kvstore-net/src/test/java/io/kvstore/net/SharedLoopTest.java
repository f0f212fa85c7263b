package io.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.KvStore;
import io.kvstore.spi.EventLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The transport's I/O loop as the store's loop: one thread for sockets and replication. */
class SharedLoopTest {

  @Test
  void aOneThreadTransportOffersItsLoopAndAManyThreadOneDoesNot() throws Exception {
    NettyTransport one = NettyTransport.create(NettyTransportConfig.builder().port(0).build());
    NettyTransport two =
        NettyTransport.create(NettyTransportConfig.builder().port(0).ioThreads(2).build());
    try {
      assertThat(two.eventLoop()).isNull();
      EventLoop loop = one.eventLoop();
      assertThat(loop).isNotNull();
      assertThat(loop.inLoop()).isFalse();

      CompletableFuture<String> ran = new CompletableFuture<>();
      loop.execute(() -> ran.complete(loop.inLoop() + " " + Thread.currentThread().getName()));
      assertThat(ran.get(5, TimeUnit.SECONDS)).startsWith("true kvstore-net");

      CompletableFuture<Long> timer = new CompletableFuture<>();
      long start = System.nanoTime();
      loop.schedule(TimeUnit.MILLISECONDS.toNanos(50), () -> timer.complete(System.nanoTime()));
      assertThat(timer.get(5, TimeUnit.SECONDS) - start)
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));

      CompletableFuture<Boolean> cancelledRan = new CompletableFuture<>();
      loop.schedule(TimeUnit.MILLISECONDS.toNanos(20), () -> cancelledRan.complete(true)).cancel();
      CompletableFuture<Boolean> later = new CompletableFuture<>();
      loop.schedule(TimeUnit.MILLISECONDS.toNanos(100), () -> later.complete(true));
      later.get(5, TimeUnit.SECONDS);
      assertThat(cancelledRan).isNotDone();

      // The store's view stops taking tasks; the thread stays the transport's.
      assertThat(loop.shutdown(0)).isTrue();
      assertThatThrownBy(() -> loop.execute(() -> {}))
          .isInstanceOf(RejectedExecutionException.class);
      CompletableFuture<Boolean> stillRuns = new CompletableFuture<>();
      one.eventLoopGroup().next().execute(() -> stillRuns.complete(true));
      assertThat(stillRuns.get(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      one.close();
      two.close();
    }
    assertThat(one.eventLoopGroup().isTerminated()).isTrue();
  }

  @Test
  void aStoreRunsOnTheTransportThreadAndRefusesBlockingCallsThere() throws Exception {
    NettyTransport t = NettyTransport.create(NettyTransportConfig.builder().port(0).build());
    KvStore store =
        KvStore.builder()
            .nodeName("solo")
            .transport(t)
            .membershipProfile("local")
            .clusterAddress("127.0.0.1:0")
            .operationTimeout(Duration.ofSeconds(2))
            .build();
    try {
      store.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (true) {
        try {
          store.put("k", "v".getBytes(StandardCharsets.UTF_8));
          break;
        } catch (RuntimeException e) {
          assertThat(System.nanoTime()).as("a one-node cluster forms").isLessThan(deadline);
          Thread.sleep(50);
        }
      }
      // Completions arrive on the transport's thread; a blocking call there would wait for itself.
      AtomicReference<String> thread = new AtomicReference<>();
      CompletableFuture<Throwable> blocking = new CompletableFuture<>();
      t.eventLoop().execute(() -> {
        thread.set(Thread.currentThread().getName());
        try {
          store.get("k");
          blocking.complete(null);
        } catch (Throwable e) {
          blocking.complete(e);
        }
      });
      assertThat(blocking.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
      assertThat(thread.get()).startsWith("kvstore-net");
      // Still serving after the refusal.
      assertThat(new String(store.get("k").orElseThrow().value(), StandardCharsets.UTF_8))
          .isEqualTo("v");
    } finally {
      store.close();
      t.close();
    }
    assertThat(t.eventLoopGroup().isTerminated()).isTrue();
  }
}
