package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvstore.ClusterView;
import io.kvstore.ContentionException;
import io.kvstore.NodeId;
import io.kvstore.OutcomeUnknownException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /cluster/recover}: its confirmation and body checks and the single-node store's
 * refusal, and through a {@link ScriptedStore} the answers only a cluster that lost its voters'
 * majority gives.
 */
class RecoverRouteTest extends AdapterFixture {
  private static final NodeId B = new NodeId("node-b", 0xbL);
  private static final NodeId C = new NodeId("node-c", 0xcL);

  private HttpResponse<String> recover(String body) {
    return send("POST", "/cluster/recover", body);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{}", "{\"confirm\": false}", "{\"confirm\": \"true\"}",
      "{\"confirm\": 1}", "{\"members\": [\"a\"]}"})
  void withoutAnExplicitConfirmationNothingIsAsked(String body) {
    ScriptedStore scripted = startScripted();
    scripted.forceRecovery = s -> CompletableFuture.completedFuture(9L);
    JsonNode error = assertError(recover(body), 400, "confirmation_required");
    assertThat(error.get("message").asText()).contains("may be lost");
    assertThat(scripted.recoverCalls).isEmpty();
  }

  @Test
  void malformedBodiesAre400AndNeverReachTheStore() {
    ScriptedStore scripted = startScripted();
    assertError(recover("{\"confirm\": tru"), 400, "malformed_json");
    assertError(recover("[true]"), 400, "not_an_object");
    assertError(recover("{\"confirm\": true, \"members\": \"a,b\"}"), 400, "bad_request");
    assertError(recover("{\"confirm\": true, \"members\": [1]}"), 400, "bad_request");
    assertError(recover("{\"confirm\": true, \"members\": [\"\"]}"), 400, "bad_request");
    assertError(recover("{\"confirm\": true, \"force\": true}"), 400, "bad_request");
    assertError(send("POST", "/cluster/recover?now=1", "{\"confirm\": true}"), 400, "bad_request");
    assertThat(scripted.recoverCalls).isEmpty();
  }

  @Test
  void aStoreThatKeepsItsMajorityRefusesAs409() {
    start();
    JsonNode error = assertError(recover("{\"confirm\": true}"), 409, "recovery_not_needed");
    assertThat(error.get("message").asText()).contains("not needed");
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
  void otherMethodsAre405WithAllowPost(String method) {
    start();
    HttpResponse<String> response = send(method, "/cluster/recover", "{\"confirm\": true}");
    assertError(response, 405, "method_not_allowed");
    assertThat(response.headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void aRecordedRecoveryIs202WithTheEpochTheKeptAndTheDroppedMembers() {
    ScriptedStore scripted = startScripted();
    NodeId self = store.nodeId();
    scripted.cluster = Optional.of(view(3, List.of(self, B, C), List.of()));
    scripted.forceRecovery =
        survivors -> {
          scripted.cluster = Optional.of(view(4, List.of(self, B), List.of(self, B, C)));
          return CompletableFuture.completedFuture(4L);
        };
    HttpResponse<String> response =
        recover("{\"confirm\": true, \"members\": [\"node-b\"]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    JsonNode body = json(response);
    assertThat(body.get("epoch").asLong()).isEqualTo(4);
    assertThat(texts(body.get("members"))).containsExactly(self.toString(), B.toString());
    assertThat(texts(body.get("dropped"))).containsExactly(C.toString());
    assertThat(body.get("warning").asText()).contains("may be lost");
    assertThat(scripted.recoverCalls).containsExactly(List.of("node-b"));

    // Without a list: the store chooses the live members.
    recover("{\"confirm\": true}");
    assertThat(scripted.recoverCalls).containsExactly(List.of("node-b"), List.of());
    String text = get("/metrics").body();
    assertThat(ClusterRoutesTest.counter(text, "cluster_recover", "2xx")).isEqualTo(2);
  }

  @Test
  void refusalsAreMappedByWhatTheyMean() {
    ScriptedStore scripted = startScripted();
    NodeId self = store.nodeId();
    scripted.cluster = Optional.of(view(3, List.of(self, B, C), List.of()));
    scripted.forceRecovery =
        s -> CompletableFuture.failedFuture(new IllegalArgumentException("member node-c is not alive"));
    JsonNode error = assertError(recover("{\"confirm\": true, \"members\": [\"node-c\"]}"), 400,
        "invalid_members");
    assertThat(error.get("message").asText()).contains("not alive");

    scripted.forceRecovery =
        s -> CompletableFuture.failedFuture(new ContentionException("another change came first"));
    assertError(recover("{\"confirm\": true}"), 503, "unavailable");

    scripted.forceRecovery =
        s -> CompletableFuture.failedFuture(new OutcomeUnknownException("timed out"));
    assertError(recover("{\"confirm\": true}"), 504, "outcome_unknown");

    scripted.cluster = Optional.of(view(3, List.of(B, C), List.of()));
    scripted.forceRecovery =
        s -> CompletableFuture.failedFuture(new IllegalStateException("this node is not a member"));
    assertError(recover("{\"confirm\": true}"), 409, "not_a_member");

    scripted.cluster = Optional.empty();
    scripted.forceRecovery =
        s -> CompletableFuture.failedFuture(new IllegalStateException("not formed yet"));
    assertError(recover("{\"confirm\": true}"), 503, "unavailable");
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static ClusterView view(long epoch, List<NodeId> members, List<NodeId> previous) {
    Map<NodeId, Integer> none = Map.of();
    return new ClusterView(epoch, members, previous, 3, 8, none, none, true, true, false, List.of());
  }
}
