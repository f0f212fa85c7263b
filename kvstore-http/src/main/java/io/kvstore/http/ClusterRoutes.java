package io.kvstore.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.ClusterView;
import io.kvstore.KvStore;
import io.kvstore.Member;
import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.NodeState;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * {@code GET /health}, {@code GET /cluster} and {@code GET /cluster/members}, answered from the
 * store's local view without any store round trip, and {@code DELETE /cluster/members/{id}}, which
 * asks the store to remove a member from the configuration.
 *
 * <p>Thread-safe.
 */
final class ClusterRoutes {
  private final KvStore store;
  private final JsonCodec json;
  private final ErrorMapper errors;
  private final Supplier<String> url;

  ClusterRoutes(KvStore store, JsonCodec json, ErrorMapper errors, Supplier<String> url) {
    this.store = store;
    this.json = json;
    this.errors = errors;
    this.url = url;
  }

  /**
   * 200 with status {@code ok} while the store runs, else 503 with status {@code unavailable}.
   * {@code ready}: running, a member of the configuration and holding every partition it is a
   * replica of; {@code safe_to_stop}: stopping this node now leaves every partition a live,
   * caught-up majority (what a rolling restart waits for).
   */
  ApiResponse health() {
    NodeState state = store.state();
    boolean running = state == NodeState.RUNNING;
    ObjectNode body = json.object();
    body.put("node", store.nodeId().name());
    body.put("id", store.nodeId().toString());
    body.put("url", url.get());
    body.put("state", state.name().toLowerCase(Locale.ROOT));
    body.put("status", running ? "ok" : "unavailable");
    Optional<ClusterView> view = store.cluster();
    body.put("ready", running && view.map(ClusterView::ready).orElse(false));
    body.put("safe_to_stop", view.map(ClusterView::safeToStop).orElse(false));
    Map<MemberStatus, Integer> counts = new EnumMap<>(MemberStatus.class);
    for (MemberStatus s : MemberStatus.values()) {
      counts.put(s, 0);
    }
    for (Member m : store.members()) {
      counts.merge(m.status(), 1, Integer::sum);
    }
    ObjectNode members = body.putObject("members");
    counts.forEach((status, n) -> members.put(status.wireName(), n));
    return ApiResponse.json(running ? 200 : 503, json.write(body));
  }

  /**
   * The installed cluster configuration: epoch, replication factor, partition count, per member
   * how many partitions it holds a replica of and coordinates (and the spread of the former), the
   * members before the change in progress and that change's catch-up progress; {@code "formed":
   * false} while the cluster is still forming.
   */
  ApiResponse cluster() {
    ObjectNode body = json.object();
    Optional<ClusterView> view = store.cluster();
    body.put("formed", view.isPresent());
    if (view.isPresent()) {
      ClusterView c = view.get();
      body.put("epoch", c.epoch());
      body.put("replication_factor", c.replicationFactor());
      body.put("partitions", c.partitions());
      body.put("voter", c.voter());
      body.put("max_partitions_per_node", c.maxReplicasPerMember());
      body.put("min_partitions_per_node", c.minReplicasPerMember());
      ArrayNode members = body.putArray("members");
      for (NodeId m : c.members()) {
        ObjectNode node = members.addObject();
        node.put("id", m.toString());
        node.put("name", m.name());
        node.put("partitions", c.replicasPerMember().getOrDefault(m, 0));
        node.put("primaries", c.primariesPerMember().getOrDefault(m, 0));
      }
      ArrayNode previous = body.putArray("previous_members");
      for (NodeId m : c.previousMembers()) {
        previous.add(m.toString());
      }
      ArrayNode migrations = body.putArray("migrations");
      for (ClusterView.Migration m : c.migrations()) {
        ObjectNode migration = migrations.addObject();
        migration.put("epoch", m.epoch());
        migration.put("partitions_moving", m.partitionsMoving());
        migration.put("partitions_caught_up", m.partitionsCaughtUp());
        migration.put("keys_received", m.keysReceived());
        migration.put("bytes_received", m.bytesReceived());
      }
    }
    return ApiResponse.json(200, json.write(body));
  }

  /** The members as this node sees them, sorted by id. */
  ApiResponse members() {
    List<Member> members =
        store.members().stream().sorted((a, b) -> a.id().compareTo(b.id())).toList();
    ObjectNode body = json.object();
    ArrayNode array = body.putArray("members");
    for (Member m : members) {
      ObjectNode node = array.addObject();
      node.put("id", m.id().toString());
      node.put("name", m.id().name());
      node.put("address", m.address());
      node.put("state", m.status().wireName());
      node.put("incarnation", m.incarnation());
      node.put("http", m.metadata().get("http"));
    }
    return ApiResponse.json(200, json.write(body));
  }

  /**
   * Removes a member (name or full id, percent-encoded) from the configuration: 202 once the change
   * has started, with its epoch; the data moves afterwards ({@code GET /cluster} shows progress).
   * Validation happens on the calling thread; the store's answer is turned into a response on
   * {@code executor}, never on the store's thread.
   */
  CompletableFuture<ApiResponse> removeMember(String encodedId, String query, Executor executor) {
    String id = KeyCodec.decodeMemberId(encodedId);
    QueryOptions.parse(query, Set.of());
    CompletableFuture<Long> pending;
    try {
      pending = store.removeMember(id);
    } catch (RuntimeException e) {
      pending = CompletableFuture.failedFuture(e);
    }
    return pending.handleAsync(
        (epoch, e) -> e == null ? removing(id, epoch) : removalFailed(id, e), executor);
  }

  private ApiResponse removing(String id, long epoch) {
    ObjectNode body = json.object();
    body.put("removing", id);
    body.put("epoch", epoch);
    return ApiResponse.json(202, json.write(body));
  }

  /**
   * The store's refusals: no such member is 404; a refused change is 409, with {@code
   * change_in_progress} when this node sees a change under way (retry when it completes) and
   * {@code removal_refused} otherwise (the last member, or a partition would lose its live
   * majority); a cluster not formed yet is 503. Everything else is mapped as for key requests.
   */
  private ApiResponse removalFailed(String id, Throwable failure) {
    Throwable t = ErrorMapper.unwrap(failure);
    if (t instanceof IllegalArgumentException) {
      return errors.error(404, "member_not_found", message(t, "no member " + id));
    }
    if (t instanceof IllegalStateException) {
      Optional<ClusterView> view = store.cluster();
      if (view.isEmpty()) {
        return errors.error(
            503, "unavailable", "the cluster is not formed yet, not applied: " + t.getMessage());
      }
      ClusterView c = view.get();
      boolean changing = !c.previousMembers().isEmpty() || !c.migrations().isEmpty();
      return errors.error(
          409,
          changing ? "change_in_progress" : "removal_refused",
          message(t, "cannot remove " + id));
    }
    return errors.map(t);
  }

  private static String message(Throwable t, String fallback) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? fallback : m;
  }
}
