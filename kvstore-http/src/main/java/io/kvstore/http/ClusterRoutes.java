package io.kvstore.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.ClusterView;
import io.kvstore.KvStore;
import io.kvstore.Member;
import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.NodeState;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * {@code GET /health}, {@code GET /cluster} and {@code GET /cluster/members}, answered from the
 * store's local view without any store round trip; {@code DELETE /cluster/members/{id}}, which
 * asks the store to remove a member from the configuration; and {@code POST /cluster/recover},
 * the operator's forced recovery after the configuration's voters lost their majority.
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
    return call(() -> store.removeMember(id)).handleAsync(
        (epoch, e) -> e == null ? removing(id, epoch) : removalFailed(id, e), executor);
  }

  /** The store's future, or a failed one if the call threw before returning it. */
  private static CompletableFuture<Long> call(Supplier<CompletableFuture<Long>> op) {
    try {
      return op.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
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

  /** What a forced recovery risks, repeated in its answers. */
  static final String RECOVERY_WARNING =
      "forced recovery drops the members that are not kept: acknowledged writes held only by them"
          + " may be lost, and a dropped member that is still running must be stopped and wiped"
          + " before it comes back";

  /**
   * The forced recovery: body {@code {"confirm": true, "members": ["name", ...]}} ({@code members}
   * optional: by default this node and every member it sees alive). 202 once the forced
   * configuration is recorded, with its epoch, the members kept and those dropped; 400 {@code
   * confirmation_required} without {@code "confirm": true}; 409 {@code recovery_not_needed} while a
   * majority of the voters is alive.
   */
  CompletableFuture<ApiResponse> recover(byte[] body, String query, Executor executor) {
    QueryOptions.parse(query, Set.of());
    String shape = "{\"confirm\": true, \"members\": [\"name\", ...]}";
    JsonNode root =
        body == null || body.length == 0 ? json.object() : json.parseObjectBody(body, shape);
    JsonNode confirm = root.get("confirm");
    if (confirm == null || !confirm.isBoolean() || !confirm.booleanValue()) {
      throw new ApiError(
          400,
          "confirmation_required",
          "a forced recovery needs {\"confirm\": true} in the body: " + RECOVERY_WARNING);
    }
    List<String> survivors = new ArrayList<>();
    JsonNode members = root.get("members");
    if (members != null && !members.isNull()) {
      if (!members.isArray()) {
        throw ApiError.badRequest("bad_request", "\"members\" must be an array of member names");
      }
      for (JsonNode m : members) {
        if (!m.isTextual() || m.asText().isEmpty()) {
          throw ApiError.badRequest("bad_request", "\"members\" must hold non-empty names");
        }
        survivors.add(m.asText());
      }
    }
    Iterator<String> fields = root.fieldNames();
    while (fields.hasNext()) {
      String field = fields.next();
      if (!field.equals("confirm") && !field.equals("members")) {
        throw ApiError.badRequest("bad_request", "unknown field \"" + field + "\"");
      }
    }
    Optional<ClusterView> before = store.cluster();
    return call(() -> store.forceRecovery(survivors)).handleAsync(
        (epoch, e) -> e == null ? recovered(before, epoch) : recoveryFailed(e), executor);
  }

  private ApiResponse recovered(Optional<ClusterView> before, long epoch) {
    List<NodeId> kept = store.cluster().map(ClusterView::members).orElse(List.of());
    Set<NodeId> dropped = new TreeSet<>();
    before.ifPresent(
        v -> {
          dropped.addAll(v.members());
          dropped.addAll(v.previousMembers());
        });
    dropped.removeAll(kept);
    ObjectNode body = json.object();
    body.put("epoch", epoch);
    ArrayNode members = body.putArray("members");
    kept.forEach(m -> members.add(m.toString()));
    ArrayNode gone = body.putArray("dropped");
    dropped.forEach(m -> gone.add(m.toString()));
    body.put("warning", RECOVERY_WARNING);
    return ApiResponse.json(202, json.write(body));
  }

  /**
   * A named survivor that is no live member is 400 {@code invalid_members}; a cluster not formed
   * yet is 503; a node outside the configuration is 409 {@code not_a_member}; any other refusal
   * is 409 {@code recovery_not_needed}. Everything else is mapped as for key requests (a race
   * with another change is 503: check the configuration, then retry if still needed).
   */
  private ApiResponse recoveryFailed(Throwable failure) {
    Throwable t = ErrorMapper.unwrap(failure);
    if (t instanceof IllegalArgumentException) {
      return errors.error(400, "invalid_members", message(t, "invalid members"));
    }
    if (t instanceof IllegalStateException) {
      Optional<ClusterView> view = store.cluster();
      if (view.isEmpty()) {
        return errors.error(
            503, "unavailable", "the cluster is not formed yet, not applied: " + t.getMessage());
      }
      ClusterView c = view.get();
      NodeId self = store.nodeId();
      if (!c.members().contains(self) && !c.previousMembers().contains(self)) {
        return errors.error(409, "not_a_member", message(t, "this node is not a member"));
      }
      return errors.error(409, "recovery_not_needed", message(t, "recovery is not needed"));
    }
    return errors.map(t);
  }

  private static String message(Throwable t, String fallback) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? fallback : m;
  }
}
