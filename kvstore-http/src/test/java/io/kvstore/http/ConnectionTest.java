package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keep-alive, pipelining, limits and hostile input over raw sockets. */
class ConnectionTest extends AdapterFixture {
  private static String putRequest(String key, String body) {
    return "PUT /kv/"
        + key
        + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  private static String getRequest(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  @Test
  void keepAliveServesManyRequestsOnOneConnectionInOrder() throws Exception {
    start();
    try (RawHttp raw = new RawHttp(adapter.port())) {
      for (int i = 0; i < 50; i++) {
        RawHttp.Response put = raw.send(putRequest("k" + i, "{\"value\": " + i + "}")).read();
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.header("connection")).isNull();
        RawHttp.Response get = raw.send(getRequest("/kv/k" + i)).read();
        assertThat(json(get.body()).get("value").asInt()).isEqualTo(i);
      }
      assertThat(raw.closedByServerWithin(Duration.ofMillis(50))).isFalse();
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    start();
    StringBuilder batch = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.append(putRequest("p", "{\"value\": " + i + "}"));
      expected.add("put");
      batch.append(getRequest("/kv/p"));
      expected.add("value " + i);
      batch.append(getRequest("/nowhere"));
      expected.add("404");
    }
    batch.append("DELETE /kv/p HTTP/1.1\r\nHost: x\r\n\r\n");
    expected.add("deleted");
    batch.append(getRequest("/kv/p"));
    expected.add("404");
    try (RawHttp raw = new RawHttp(adapter.port())) {
      raw.send(batch.toString());
      List<String> seen = new ArrayList<>();
      for (int i = 0; i < expected.size(); i++) {
        RawHttp.Response r = raw.read();
        JsonNode body = json(r.body());
        if (r.status() == 404) {
          seen.add("404");
        } else if (body.has("deleted")) {
          seen.add("deleted");
        } else if (body.has("value")) {
          seen.add("value " + body.get("value").asInt());
        } else {
          seen.add("put");
        }
      }
      assertThat(seen).isEqualTo(expected);
    }
  }

  @Test
  void aLongPipelinedBatchSpanningManyReadsIsAnsweredCompletelyAndInOrder() throws Exception {
    start();
    // About 200 KiB of requests, more than one read takes in: the server pauses reading while it
    // serves what it has. (Netty's codec closes a connection with more than 128 requests decoded
    // and unanswered, so the batch stays below that.)
    String value = "v".repeat(2000);
    StringBuilder batch = new StringBuilder();
    int n = 100;
    for (int i = 0; i < n; i++) {
      batch.append(putRequest("q" + (i % 7), "{\"value\": \"" + value + i + "\"}"));
    }
    try (RawHttp raw = new RawHttp(adapter.port())) {
      raw.send(batch.toString());
      for (int i = 0; i < n; i++) {
        RawHttp.Response r = raw.read();
        assertThat(r.status()).as("response %d: %s", i, r.body()).isEqualTo(200);
        assertThat(json(r.body()).get("version").asLong()).isEqualTo(i / 7 + 1);
      }
      RawHttp.Response last = raw.send(getRequest("/kv/q6")).read();
      int lastOfQ6 = n - 1 - (n - 1 - 6) % 7;
      assertThat(json(last.body()).get("value").asText()).isEqualTo(value + lastOfQ6);
    }
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    start();
    try (RawHttp raw = new RawHttp(adapter.port())) {
      RawHttp.Response r = raw.send(RawHttp.request("GET", "/health", null)).read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void http10ClosesUnlessKeepAliveIsAsked() throws Exception {
    start();
    try (RawHttp raw = new RawHttp(adapter.port())) {
      RawHttp.Response r = raw.send("GET /health HTTP/1.0\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(raw.closedByServer()).isTrue();
    }
    try (RawHttp raw = new RawHttp(adapter.port())) {
      for (int i = 0; i < 3; i++) {
        RawHttp.Response r =
            raw.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
      }
    }
  }

  @Test
  void bodyOverTheLimitIsRefusedFromContentLengthBeforeItIsSent() throws Exception {
    start(b -> b.maxBodyBytes(1024));
    try (RawHttp raw = new RawHttp(adapter.port())) {
      // Only the headers: the body never comes, yet the answer does.
      raw.send("PUT /kv/big HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");
      JsonNode error = assertError(raw.read(), 413, "body_too_large");
      assertThat(error.get("message").asText()).contains("1024");
      assertThat(raw.closedByServer()).isTrue();
    }
    assertThat(store.get("big")).isEmpty();
  }

  @Test
  void oversizedExpectContinueGets413Too() throws Exception {
    start(b -> b.maxBodyBytes(1024));
    try (RawHttp raw = new RawHttp(adapter.port())) {
      raw.send(
          "PUT /kv/big HTTP/1.1\r\n"
              + "Host: x\r\n"
              + "Expect: 100-continue\r\n"
              + "Content-Length: 5000\r\n\r\n");
      assertError(raw.read(), 413, "body_too_large");
    }
  }

  @Test
  void chunkedBodyOverTheLimitIsRefused() throws Exception {
    start(b -> b.maxBodyBytes(1024));
    try (RawHttp raw = new RawHttp(adapter.port())) {
      raw.send("PUT /kv/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = "x".repeat(600);
      raw.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
      raw.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
      assertError(raw.read(), 413, "body_too_large");
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void chunkedBodyWithinTheLimitIsAccepted() throws Exception {
    start();
    try (RawHttp raw = new RawHttp(adapter.port())) {
      raw.send("PUT /kv/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      raw.send("5\r\n{\"val\r\n");
      raw.send("7\r\nue\": 7}\r\n0\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
    }
    assertThat(json(get("/kv/chunked")).get("value").asInt()).isEqualTo(7);
  }

  @Test
  void oversizedRequestAfterAPipelinedOneIsAnsweredInOrder() throws Exception {
    start(b -> b.maxBodyBytes(1024));
    try (RawHttp raw = new RawHttp(adapter.port())) {
      raw.send(
          getRequest("/health")
              + "PUT /kv/big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(200);
      assertError(raw.read(), 413, "body_too_large");
    }
  }

  @Test
  void overlongRequestLineIs414AndHugeHeadersAre431() throws Exception {
    start();
    String longUri = "/kv/" + "a".repeat(9000);
    assertError(RawHttp.exchange(adapter.port(), getRequest(longUri)), 414, "uri_too_long");
    String hugeHeaders =
        "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n";
    assertError(RawHttp.exchange(adapter.port(), hugeHeaders), 431, "headers_too_large");
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void garbageIsRefusedAndTheServerKeepsServing() throws Exception {
    start();
    byte[] garbage = new byte[4096];
    new java.util.SplittableRandom(42).nextBytes(garbage);
    garbage[0] = 'Z';
    try (RawHttp raw = new RawHttp(adapter.port())) {
      raw.send(garbage).send("\r\n\r\n");
      RawHttp.Response r = raw.readOrNull();
      if (r != null) {
        assertThat(r.status()).isEqualTo(400);
      }
      assertThat(raw.closedByServer()).isTrue();
    }
    try (RawHttp raw = new RawHttp(adapter.port())) {
      RawHttp.Response r = raw.send("NOT-HTTP\r\n\r\n").read();
      assertError(r, 400, "bad_request");
    }
    assertThat(put("/kv/after", "{\"value\": 1}").statusCode()).isEqualTo(200);
  }

  @Test
  void connectionsOverTheLimitAreRefused() throws Exception {
    start(b -> b.maxConnections(2));
    try (RawHttp first = new RawHttp(adapter.port());
        RawHttp second = new RawHttp(adapter.port())) {
      // A served request proves each connection is counted before the third arrives.
      assertThat(first.send(getRequest("/health")).read().status()).isEqualTo(200);
      assertThat(second.send(getRequest("/health")).read().status()).isEqualTo(200);
      try (RawHttp third = new RawHttp(adapter.port())) {
        assertError(third.read(), 503, "too_many_connections");
        assertThat(third.closedByServer()).isTrue();
      }
      String metrics = first.send(getRequest("/metrics")).read().body();
      assertThat(ClusterRoutesTest.gauge(metrics, "kvstore_http_connections_rejected_total"))
          .isEqualTo(1);
      assertThat(ClusterRoutesTest.gauge(metrics, "kvstore_http_connections_open")).isEqualTo(2);
    }
    // Once they are closed, new connections are served again (the server notices the close
    // asynchronously).
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    int status = 0;
    while (status != 200 && System.nanoTime() < deadline) {
      try (RawHttp again = new RawHttp(adapter.port())) {
        status = again.send(getRequest("/health")).read().status();
      } catch (IOException e) {
        status = -1;
      }
    }
    assertThat(status).isEqualTo(200);
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    start(b -> b.idleTimeout(Duration.ofMillis(200)));
    try (RawHttp silent = new RawHttp(adapter.port())) {
      assertThat(silent.closedByServer()).isTrue();
    }
    try (RawHttp used = new RawHttp(adapter.port())) {
      assertThat(used.send(getRequest("/health")).read().status()).isEqualTo(200);
      assertThat(used.closedByServer()).isTrue();
    }
    String metrics = get("/metrics").body();
    assertThat(ClusterRoutesTest.gauge(metrics, "kvstore_http_connections_idle_closed_total"))
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void closeEndsIdleKeepAliveConnectionsAndIsIdempotent() throws Exception {
    start();
    try (RawHttp raw = new RawHttp(adapter.port())) {
      assertThat(raw.send(getRequest("/health")).read().status()).isEqualTo(200);
      adapter.close();
      assertThat(raw.closedByServer()).isTrue();
      adapter.close();
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(adapter::start)
        .isInstanceOf(IllegalStateException.class);
  }
}
