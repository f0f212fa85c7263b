package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvstore.ClusterView;
import io.kvstore.NodeId;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code /health}, {@code /cluster}, {@code /cluster/members}, {@code /metrics}, unknown routes and
 * methods.
 */
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
    // A running single node holds every partition; stopping it would take them all away.
    assertThat(body.get("ready").asBoolean()).isTrue();
    assertThat(body.get("safe_to_stop").isBoolean()).isTrue();
    assertThat(body.get("safe_to_stop").asBoolean()).isFalse();
  }

  @Test
  void healthReadinessAndSafetyComeFromTheClusterView() {
    ScriptedStore scripted = startScripted();
    ClusterView c = MemberRoutesTest.changing(store.nodeId());
    scripted.cluster = Optional.of(withReadiness(c, false, true));
    JsonNode body = json(get("/health"));
    assertThat(body.get("status").asText()).isEqualTo("ok");
    assertThat(body.get("ready").asBoolean()).isFalse();
    assertThat(body.get("safe_to_stop").asBoolean()).isTrue();

    scripted.cluster = Optional.of(withReadiness(c, true, false));
    body = json(get("/health"));
    assertThat(body.get("ready").asBoolean()).isTrue();
    assertThat(body.get("safe_to_stop").asBoolean()).isFalse();

    // No configuration yet (still forming or joining): neither ready nor safe to stop.
    scripted.cluster = Optional.empty();
    HttpResponse<String> response = get("/health");
    assertThat(response.statusCode()).isEqualTo(200);
    body = json(response);
    assertThat(body.get("ready").asBoolean()).isFalse();
    assertThat(body.get("safe_to_stop").asBoolean()).isFalse();
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
    assertThat(body.get("ready").asBoolean()).isFalse();
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
    assertThat(body.get("max_partitions_per_node").asInt())
        .isEqualTo(body.get("partitions").asInt());
    assertThat(body.get("min_partitions_per_node").asInt())
        .isEqualTo(body.get("partitions").asInt());
    assertThat(body.get("previous_members").isArray()).isTrue();
    assertThat(body.get("previous_members").size()).isZero();
    assertThat(body.get("migrations").isArray()).isTrue();
    assertThat(body.get("migrations").size()).isZero();
    assertThat(json(get("/health")).get("ready").asBoolean()).isTrue();
  }

  @Test
  void clusterShowsAChangeInProgress() {
    ScriptedStore scripted = startScripted();
    NodeId self = store.nodeId();
    NodeId joining = new NodeId("node-3", 0xabcL);
    scripted.cluster =
        Optional.of(
            new ClusterView(
                9,
                List.of(self, joining),
                List.of(self),
                2,
                16,
                Map.of(self, 16, joining, 10),
                Map.of(self, 9, joining, 7),
                true,
                true,
                false,
                List.of(new ClusterView.Migration(9, 10, 4, 1234, 56789))));
    JsonNode body = json(get("/cluster"));
    assertThat(body.get("formed").asBoolean()).isTrue();
    assertThat(body.get("epoch").asLong()).isEqualTo(9);
    assertThat(body.get("members").size()).isEqualTo(2);
    assertThat(body.get("members").get(1).get("id").asText()).isEqualTo("node-3#abc");
    assertThat(body.get("members").get(1).get("partitions").asInt()).isEqualTo(10);
    assertThat(body.get("members").get(1).get("primaries").asInt()).isEqualTo(7);
    assertThat(body.get("previous_members").size()).isEqualTo(1);
    assertThat(body.get("previous_members").get(0).asText()).isEqualTo(self.toString());
    assertThat(body.get("max_partitions_per_node").asInt()).isEqualTo(16);
    assertThat(body.get("min_partitions_per_node").asInt()).isEqualTo(10);
    JsonNode migrations = body.get("migrations");
    assertThat(migrations.size()).isEqualTo(1);
    JsonNode m = migrations.get(0);
    assertThat(m.get("epoch").asLong()).isEqualTo(9);
    assertThat(m.get("partitions_moving").asInt()).isEqualTo(10);
    assertThat(m.get("partitions_caught_up").asInt()).isEqualTo(4);
    assertThat(m.get("keys_received").asLong()).isEqualTo(1234);
    assertThat(m.get("bytes_received").asLong()).isEqualTo(56789);
    assertThat(m.size()).isEqualTo(5);
  }

  @Test
  void clusterIsNotFormedWithoutAView() {
    ScriptedStore scripted = startScripted();
    scripted.cluster = Optional.empty();
    HttpResponse<String> response = get("/cluster");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("formed").asBoolean()).isFalse();
    assertThat(body.has("previous_members")).isFalse();
    assertThat(body.has("migrations")).isFalse();
  }

  private static ClusterView withReadiness(ClusterView c, boolean ready, boolean safeToStop) {
    return new ClusterView(
        c.epoch(),
        c.members(),
        c.previousMembers(),
        c.replicationFactor(),
        c.partitions(),
        c.replicasPerMember(),
        c.primariesPerMember(),
        c.voter(),
        ready,
        safeToStop,
        c.migrations());
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
    "GET, /cluster/members/x, DELETE",
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
