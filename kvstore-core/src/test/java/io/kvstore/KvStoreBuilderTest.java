package io.kvstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.spi.Endpoint;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KvStoreBuilderTest {
  @Test
  void settingTwiceIsAnError() {
    assertThatThrownBy(() -> KvStore.builder().partitions(8).partitions(16))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("partitions");
  }

  @Test
  void buildValidatesWithPreciseMessages() {
    assertThatThrownBy(() -> KvStore.builder().partitions(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partitions");
    assertThatThrownBy(() -> KvStore.builder().maxKeyBytes(0).build())
        .hasMessageContaining("maxKeyBytes");
    assertThatThrownBy(() -> KvStore.builder().operationTimeout(Duration.ZERO).build())
        .hasMessageContaining("operationTimeout");
    assertThatThrownBy(() -> KvStore.builder().nodeName(" ").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaults() {
    try (KvStore s = KvStore.builder().build()) {
      assertThat(s.nodeId().name()).startsWith("node-");
      assertThat(s.state()).isEqualTo(NodeState.NEW);
    }
  }

  @Test
  void endpointParsing() {
    assertThat(Endpoint.parse("127.0.0.1:7000")).isEqualTo(new Endpoint("127.0.0.1", 7000));
    assertThat(Endpoint.parse("[::1]:7000")).isEqualTo(new Endpoint("::1", 7000));
    assertThat(Endpoint.parse("[::1]:7000").toString()).isEqualTo("[::1]:7000");
    assertThatThrownBy(() -> Endpoint.parse("host")).hasMessageContaining("host:port");
    assertThatThrownBy(() -> Endpoint.parse("host:x")).hasMessageContaining("bad port");
    assertThatThrownBy(() -> Endpoint.parse("host:70000")).hasMessageContaining("port");
  }
}
