package io.kvstore.examples.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.NodeState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StandaloneNodeTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static NodeSettings loopback(int httpPort, Optional<String> name) {
    return new NodeSettings(
        name, "127.0.0.1", "127.0.0.1", httpPort, 0, List.of(), 1, 64 * 1024, 16);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesHttpUntilClosed() throws Exception {
    StandaloneNode node = StandaloneNode.start(loopback(0, Optional.of("t1")));
    try {
      assertThat(node.name()).isEqualTo("t1");
      assertThat(node.httpUrl()).startsWith("http://127.0.0.1:").doesNotEndWith(":0");
      assertThat(node.readyLine())
          .isEqualTo("kvstore node t1 ready: http=" + node.httpUrl() + " cluster=127.0.0.1:0");
      assertThat(node.stoppedLine()).isEqualTo("kvstore node t1 stopped");

      URI key = URI.create(node.httpUrl() + "/kv/k1");
      HttpResponse<String> put =
          send(
              HttpRequest.newBuilder(key)
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"v1\"}")));
      assertThat(put.statusCode()).isBetween(200, 299);
      HttpResponse<String> get = send(HttpRequest.newBuilder(key).GET());
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).contains("\"v1\"");
      assertThat(node.store().strings().get("k1")).isPresent();
      HttpResponse<String> health =
          send(HttpRequest.newBuilder(URI.create(node.httpUrl() + "/health")).GET());
      assertThat(health.statusCode()).isEqualTo(200);
    } finally {
      node.close();
    }
    assertThat(node.store().state()).isEqualTo(NodeState.CLOSED);
    node.close(); // idempotent
  }

  @Test
  void withoutANameTheStorePicksOne() {
    try (StandaloneNode node = StandaloneNode.start(loopback(0, Optional.empty()))) {
      assertThat(node.name()).startsWith("node-").isNotEqualTo("node-0");
    }
  }

  @Test
  void portInUseFailsWithAClearMessageAndReleasesTheStore() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> StandaloneNode.start(loopback(port, Optional.of("t2"))))
          .isInstanceOf(NodeStartException.class)
          .hasMessage(
              "cannot listen on 127.0.0.1:"
                  + port
                  + ": address already in use (choose another --http-port)");
    }
  }

  @Test
  void recognisesAddressInUseAnywhereInTheCauseChain() {
    assertThat(StandaloneNode.addressInUse(new BindException("x"))).isTrue();
    assertThat(
            StandaloneNode.addressInUse(
                new IllegalStateException(
                    "bind failed", new IOException("bind(..) failed: Address already in use"))))
        .isTrue();
    assertThat(StandaloneNode.addressInUse(new UncheckedIOException(new IOException("refused"))))
        .isFalse();
  }

  @Test
  void bodyLimitLeavesRoomForTheJsonEnvelope() {
    assertThat(StandaloneNode.bodyLimit(1024)).isGreaterThan(1024);
    assertThat(StandaloneNode.bodyLimit(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
  }
}
