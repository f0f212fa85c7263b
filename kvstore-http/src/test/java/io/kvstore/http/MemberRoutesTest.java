package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvstore.ClusterView;
import io.kvstore.NodeId;
import io.kvstore.OutcomeUnknownException;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.StoreClosedException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code DELETE /cluster/members/{id}}: against the single-node store for its refusals, and through
 * a {@link ScriptedStore} for the answers only a cluster gives (a started removal, a change in
 * progress, an unavailable or unknown outcome).
 */
class MemberRoutesTest extends AdapterFixture {
  private static final NodeId OTHER = new NodeId("node-2", 0x1f2eL);

  @Test
  void unknownMemberIs404() {
    start();
    JsonNode error = assertError(delete("/cluster/members/nope"), 404, "member_not_found");
    assertThat(error.get("message").asText()).contains("nope");
  }

  @Test
  void removingTheOnlyMemberIs409ByNameAndByFullId() {
    start();
    String name = store.nodeId().name();
    String fullId = store.nodeId().toString();
    assertThat(fullId).contains("#");
    assertError(delete("/cluster/members/" + name), 409, "removal_refused");
    // '#' would start a fragment in a URL: a full id is sent with it escaped.
    JsonNode error =
        assertError(
            delete("/cluster/members/" + fullId.replace("#", "%23")), 409, "removal_refused");
    assertThat(error.get("message").asText()).isNotBlank();
    // Nothing changed: the node still serves and is still the only member.
    assertThat(get("/health").statusCode()).isEqualTo(200);
    JsonNode members = json(get("/cluster")).get("members");
    assertThat(members.size()).isEqualTo(1);
    assertThat(members.get(0).get("id").asText()).isEqualTo(fullId);
  }

  @Test
  void theIdIsPercentDecodedBeforeTheLookup() {
    start();
    JsonNode error =
        assertError(
            delete("/cluster/members/no%20such%2Fmember%E2%9C%93"), 404, "member_not_found");
    assertThat(error.get("message").asText()).contains("no such/member\u2713");
    // The own name, every byte escaped, still names this node.
    StringBuilder escaped = new StringBuilder();
    for (byte b : store.nodeId().name().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      escaped.append('%').append(String.format("%02x", b & 0xFF));
    }
    assertError(delete("/cluster/members/" + escaped), 409, "removal_refused");
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "PUT", "POST", "PATCH"})
  void otherMethodsAre405WithAllowDelete(String method) {
    start();
    HttpResponse<String> response = send(method, "/cluster/members/" + store.nodeId().name(), "{}");
    assertError(response, 405, "method_not_allowed");
    assertThat(response.headers().firstValue("allow")).hasValue("DELETE");
  }

  @Test
  void malformedIdsAndOptionsAre400() throws Exception {
    start();
    assertError(delete("/cluster/members/"), 400, "bad_member_id");
    // The HTTP client refuses to send a malformed escape: write it on a raw socket.
    assertError(
        RawHttp.exchange(adapter.port(), RawHttp.request("DELETE", "/cluster/members/%zz", null)),
        400,
        "bad_member_id");
    assertError(delete("/cluster/members/%C3%28"), 400, "bad_member_id");
    assertError(delete("/cluster/members/nope?force=true"), 400, "bad_request");
  }

  @Test
  void listingTheMembersIsUnchanged() {
    start();
    JsonNode members = json(get("/cluster/members")).get("members");
    assertThat(members.size()).isEqualTo(1);
    assertError(send("PUT", "/cluster/members", "{}"), 405, "method_not_allowed");
  }

  @Test
  void startedRemovalIs202WithTheIdAsGivenAndTheEpoch() {
    ScriptedStore scripted = startScripted();
    scripted.removeMember = id -> CompletableFuture.completedFuture(7L);
    HttpResponse<String> response =
        delete("/cluster/members/" + OTHER.toString().replace("#", "%23"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = json(response);
    assertThat(body.get("removing").asText()).isEqualTo("node-2#1f2e");
    assertThat(body.get("epoch").asLong()).isEqualTo(7);
    assertThat(body.size()).isEqualTo(2);
    assertThat(scripted.removeCalls).containsExactly("node-2#1f2e");

    response = delete("/cluster/members/node-2");
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(json(response).get("removing").asText()).isEqualTo("node-2");
    assertThat(scripted.removeCalls).containsExactly("node-2#1f2e", "node-2");
  }

  @Test
  void theResponseWaitsForTheStoreWithoutHoldingTheConnectionThread() throws Exception {
    ScriptedStore scripted = startScripted();
    CompletableFuture<Long> change = new CompletableFuture<>();
    CompletableFuture<String> called = new CompletableFuture<>();
    scripted.removeMember =
        id -> {
          called.complete(id);
          return change;
        };
    CompletableFuture<HttpResponse<String>> pending =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create(adapter.url() + "/cluster/members/node-2"))
                .timeout(Duration.ofSeconds(10))
                .DELETE()
                .build(),
            BodyHandlers.ofString());
    assertThat(called.get(10, TimeUnit.SECONDS)).isEqualTo("node-2");
    assertThat(pending).isNotDone();
    // Completed from a thread that is not the connection's: the answer still arrives.
    change.complete(12L);
    HttpResponse<String> response = pending.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(json(response).get("epoch").asLong()).isEqualTo(12);
  }

  @Test
  void aRefusalWhileAChangeIsInProgressIsChangeInProgress() {
    ScriptedStore scripted = startScripted();
    scripted.cluster = Optional.of(changing(store.nodeId()));
    scripted.removeMember =
        id ->
            CompletableFuture.failedFuture(
                new IllegalStateException("a configuration change is in progress; retry"));
    JsonNode error = assertError(delete("/cluster/members/node-2"), 409, "change_in_progress");
    assertThat(error.get("message").asText()).contains("in progress");
  }

  @Test
  void aRefusalBeforeTheClusterIsFormedIs503() {
    ScriptedStore scripted = startScripted();
    scripted.cluster = Optional.empty();
    scripted.removeMember =
        id -> CompletableFuture.failedFuture(new IllegalStateException("not formed yet"));
    assertError(delete("/cluster/members/node-2"), 503, "unavailable");
  }

  @Test
  void storeFailuresKeepTheirUsualMapping() {
    ScriptedStore scripted = startScripted();
    scripted.removeMember =
        id -> CompletableFuture.failedFuture(new QuorumUnavailableException("register down"));
    JsonNode error = assertError(delete("/cluster/members/node-2"), 503, "unavailable");
    assertThat(error.get("message").asText()).contains("register down");

    scripted.removeMember =
        id -> CompletableFuture.failedFuture(new OutcomeUnknownException("timed out"));
    assertError(delete("/cluster/members/node-2"), 504, "outcome_unknown");

    scripted.removeMember =
        id -> CompletableFuture.failedFuture(new StoreClosedException("closed"));
    assertError(delete("/cluster/members/node-2"), 503, "unavailable");

    // A store that throws instead of failing its future is answered the same way.
    scripted.removeMember =
        id -> {
          throw new IllegalArgumentException("no member " + id);
        };
    assertError(delete("/cluster/members/node-9"), 404, "member_not_found");
  }

  @Test
  void metricsCountRemovalsAsTheirOwnRoute() {
    ScriptedStore scripted = startScripted();
    scripted.removeMember = id -> CompletableFuture.completedFuture(3L);
    delete("/cluster/members/node-2");
    scripted.removeMember =
        id -> CompletableFuture.failedFuture(new IllegalArgumentException("no member " + id));
    delete("/cluster/members/node-3");
    String text = get("/metrics").body();
    assertThat(ClusterRoutesTest.counter(text, "cluster_member_delete", "2xx")).isEqualTo(1);
    assertThat(ClusterRoutesTest.counter(text, "cluster_member_delete", "4xx")).isEqualTo(1);
  }

  /** A two-member configuration in the middle of adding {@code OTHER} next to {@code self}. */
  static ClusterView changing(NodeId self) {
    return new ClusterView(
        5,
        List.of(self, OTHER),
        List.of(self),
        2,
        8,
        Map.of(self, 8, OTHER, 8),
        Map.of(self, 4, OTHER, 4),
        true,
        true,
        false,
        List.of(new ClusterView.Migration(5, 8, 3, 120, 4096)));
  }
}
