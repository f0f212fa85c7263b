package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /health}, {@code /cluster/members}, {@code /metrics}, unknown routes and methods. */
class ClusterRoutesTest extends AdapterFixture {
  @Test
  void healthReportsTheRunningNode() {
    start(b -> b.advertisedUrl("http://node-1.example:8000"));
    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = json(health);
    assertThat(body.get("node").asText()).isEqualTo(store.nodeId().name());
    assertThat(body.get("id").asText()).isEqualTo(store.nodeId().toString());
    assertThat(body.get("state").asText()).isEqualTo("running");
    assertThat(body.get("status").asText()).isEqualTo("ok");
    assertThat(body.get("url").asText()).isEqualTo("http://node-1.example:8000");
    assertThat(body.get("members").get("alive").asInt()).isEqualTo(1);
    assertThat(body.get("members").get("suspect").asInt()).isZero();
    assertThat(body.get("members").get("dead").asInt()).isZero();
    assertThat(body.get("members").get("left").asInt()).isZero();
  }

  @Test
  void healthIs503OnceTheStoreIsClosed() {
    start();
    store.close();
    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(503);
    JsonNode body = json(health);
    assertThat(body.get("state").asText()).isEqualTo("closed");
    assertThat(body.get("status").asText()).isEqualTo("unavailable");
    assertThat(body.get("url").asText()).isEqualTo(adapter.url());
  }

  @Test
  void membersListsThisNode() {
    start();
    HttpResponse<String> response = get("/cluster/members");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode members = json(response).get("members");
    assertThat(members.size()).isEqualTo(1);
    JsonNode self = members.get(0);
    assertThat(self.get("id").asText()).isEqualTo(store.nodeId().toString());
    assertThat(self.get("name").asText()).isEqualTo(store.nodeId().name());
    assertThat(self.get("state").asText()).isEqualTo("alive");
    assertThat(self.get("address").isTextual()).isTrue();
    assertThat(self.get("incarnation").isIntegralNumber()).isTrue();
    assertThat(self.has("http")).isTrue();
    assertThat(self.get("http").isNull()).isTrue();
  }

  @Test
  void clusterDescribesTheConfiguration() {
    start();
    HttpResponse<String> response = get("/cluster");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("formed").asBoolean()).isTrue();
    assertThat(body.get("epoch").asLong()).isEqualTo(1);
    assertThat(body.get("replication_factor").asInt()).isEqualTo(1);
    assertThat(body.get("partitions").asInt()).isEqualTo(store.cluster().orElseThrow().partitions());
    assertThat(body.get("voter").asBoolean()).isTrue();
    JsonNode self = body.get("members").get(0);
    assertThat(self.get("id").asText()).isEqualTo(store.nodeId().toString());
    assertThat(self.get("partitions").asInt()).isEqualTo(body.get("partitions").asInt());
    assertThat(self.get("primaries").asInt()).isEqualTo(body.get("partitions").asInt());
    assertThat(json(get("/health")).get("ready").asBoolean()).isTrue();
  }

  @Test
  void unknownRoutesAre404() {
    start();
    for (String path : new String[] {"/", "/kv", "/nope", "/health/x", "/cluster/x", "/KV/x"}) {
      JsonNode error = assertError(get(path), 404, "not_found");
      assertThat(error.get("message").asText()).contains("no route");
    }
  }

  @ParameterizedTest
  @CsvSource({
    "POST, /kv/x, 'GET, PUT, DELETE'",
    "PATCH, /kv/x, 'GET, PUT, DELETE'",
    "DELETE, /health, GET",
    "PUT, /cluster/members, GET",
    "DELETE, /cluster, GET",
    "POST, /metrics, GET"
  })
  void wrongMethodIs405WithAllow(String method, String path, String allow) {
    start();
    HttpResponse<String> response = send(method, path, "{\"value\": 1}");
    assertError(response, 405, "method_not_allowed");
    assertThat(response.headers().firstValue("allow")).hasValue(allow);
  }

  @Test
  void metricsCountRequestsByRouteAndStatusClass() {
    start();
    long before = counter(get("/metrics").body(), "kv_get", "2xx");
    put("/kv/m", "{\"value\": 1}");
    for (int i = 0; i < 3; i++) {
      get("/kv/m");
    }
    get("/kv/missing");
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
    String text = metrics.body();
    assertThat(counter(text, "kv_get", "2xx")).isEqualTo(before + 3);
    assertThat(counter(text, "kv_get", "4xx")).isEqualTo(1);
    assertThat(counter(text, "kv_put", "2xx")).isEqualTo(1);
    assertThat(text)
        .contains("# TYPE kvstore_http_requests_total counter")
        .contains("kvstore_http_requests_in_flight ")
        .contains("kvstore_http_connections_rejected_total 0");
    assertThat(gauge(text, "kvstore_http_connections_open")).isPositive();
  }

  static long counter(String text, String route, String statusClass) {
    Matcher m =
        Pattern.compile(
                "(?m)^kvstore_http_requests_total\\{route=\""
                    + route
                    + "\",status=\""
                    + statusClass
                    + "\"} (\\d+)$")
            .matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  static long gauge(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(text);
    assertThat(m.find()).as(name + " in\n" + text).isTrue();
    return Long.parseLong(m.group(1));
  }
}
