package io.kvstore.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.KvStore;
import io.kvstore.Member;
import io.kvstore.MemberStatus;
import io.kvstore.NodeState;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /health} and {@code GET /cluster/members}, answered from the store's local view
 * without any store round trip.
 *
 * <p>Thread-safe.
 */
final class ClusterRoutes {
  private final KvStore store;
  private final JsonCodec json;
  private final Supplier<String> url;

  ClusterRoutes(KvStore store, JsonCodec json, Supplier<String> url) {
    this.store = store;
    this.json = json;
    this.url = url;
  }

  /** 200 with status {@code ok} while the store runs, else 503 with status {@code unavailable}. */
  ApiResponse health() {
    NodeState state = store.state();
    boolean running = state == NodeState.RUNNING;
    ObjectNode body = json.object();
    body.put("node", store.nodeId().name());
    body.put("id", store.nodeId().toString());
    body.put("url", url.get());
    body.put("state", state.name().toLowerCase(Locale.ROOT));
    body.put("status", running ? "ok" : "unavailable");
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
}
