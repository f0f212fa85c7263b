package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Keep-alive, pipelining, limits and hostile input over raw sockets. */
class ConnectionTest extends AdapterFixture {
  @Test
  void keepAliveServesManyRequestsOnOneConnectionInOrder() throws Exception {
    start();
    try (RawHttp raw = new RawHttp(adapter.port())) {
      for (int i = 0; i < 50; i++) {
        String body = "{\"value\": " + i + "}";
        raw.send("PUT /kv/k" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        RawHttp.Response put = raw.read();
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.header("connection")).isNull();
        raw.send("GET /kv/k" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
        RawHttp.Response get = raw.read();
        assertThat(json(get.body()).get("value").asInt()).isEqualTo(i);
      }
    }
  }
}
