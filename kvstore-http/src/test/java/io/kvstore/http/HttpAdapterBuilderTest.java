package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Builder validation, binding and lifecycle. */
class HttpAdapterBuilderTest extends AdapterFixture {
  @Test
  void invalidSettingsFailAtOnce() {
    start();
    HttpAdapter.Builder b = HttpAdapter.builder(store);
    assertThatThrownBy(() -> b.port(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.port(65_536)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxConnections(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxBodyBytes(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.idleTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.ioThreads(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.ioThreads(65)).isInstanceOf(IllegalArgumentException.class);
    b.port(1);
    assertThatThrownBy(() -> b.port(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("port");
  }

  @Test
  void bindFailureNamesTheAddress() {
    start();
    int taken = adapter.port();
    HttpAdapter second = HttpAdapter.builder(store).host("127.0.0.1").port(taken).build();
    try {
      assertThatThrownBy(second::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + taken);
    } finally {
      second.close();
    }
  }

  @Test
  void servesOnTheCallersGroupAndLeavesItRunning() throws Exception {
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      start(b -> b.eventLoopGroup(group));
      assertThat(put("/kv/shared", "{\"value\": 1}").statusCode()).isEqualTo(200);
      HttpResponse<String> got = get("/kv/shared");
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.body()).contains("\"value\":1");
      adapter.close();
      assertThat(group.isShuttingDown()).isFalse();
      Future<Boolean> runs = group.submit(() -> true);
      assertThat(runs.get(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void urlUsesTheBoundPort() {
    start();
    assertThat(adapter.port()).isPositive();
    assertThat(adapter.url()).isEqualTo("http://127.0.0.1:" + adapter.port());
    assertThat(adapter.start()).isSameAs(adapter);
  }

  @Test
  void wildcardBindIsShownAsLoopback() {
    start();
    try (HttpAdapter any = HttpAdapter.builder(store).host("0.0.0.0").port(0).build().start()) {
      assertThat(any.url()).isEqualTo("http://127.0.0.1:" + any.port());
    }
  }
}
