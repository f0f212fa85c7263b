package io.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder defaults, set-once setters and range checks. */
class NettyTransportConfigTest {
  @Test
  void defaults() {
    NettyTransportConfig c = NettyTransportConfig.builder().build();
    assertThat(c.bindHost()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(NettyTransportConfig.DEFAULT_PORT);
    assertThat(c.advertisedHost()).isNull();
    assertThat(c.clusterName()).isEqualTo("kvstore");
    assertThat(c.maxFrameBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(c.maxDatagramBytes()).isEqualTo(1400);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.reconnectBackoffMin()).isEqualTo(Duration.ofMillis(50));
    assertThat(c.reconnectBackoffMax()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.outboundQueueLimit()).isEqualTo(4096);
    assertThat(c.ioThreads()).isEqualTo(1);
  }

  @Test
  void eachSetterOnce() {
    assertThatThrownBy(() -> NettyTransportConfig.builder().port(1).port(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(() -> NettyTransportConfig.builder().clusterName("a").clusterName("b"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rangesAreCheckedInBuild() {
    assertThatThrownBy(() -> NettyTransportConfig.builder().port(65536).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(() -> NettyTransportConfig.builder().clusterName(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clusterName");
    assertThatThrownBy(() -> NettyTransportConfig.builder().maxFrameBytes(10).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxFrameBytes");
    assertThatThrownBy(() -> NettyTransportConfig.builder().maxDatagramBytes(70_000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxDatagramBytes");
    assertThatThrownBy(
            () ->
                NettyTransportConfig.builder()
                    .reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("below min");
    assertThatThrownBy(() -> NettyTransportConfig.builder().connectTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NettyTransportConfig.builder().outboundQueueLimit(0).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
