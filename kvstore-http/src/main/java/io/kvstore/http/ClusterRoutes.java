package io.kvstore.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.ClusterView;
import io.kvstore.KvStore;
import io.kvstore.NodeId;
import java.util.Optional;
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
    // Ready: this node has joined or formed its cluster and can serve data.
    body.put("ready", running && store.cluster().isPresent());
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
   * The installed cluster configuration: epoch, replication factor, partition count, and per
   * member how many partitions it holds a replica of and coordinates; {@code "formed": false}
   * while the cluster is still forming.
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
      ArrayNode members = body.putArray("members");
      for (NodeId m : c.members()) {
        ObjectNode node = members.addObject();
        node.put("id", m.toString());
        node.put("name", m.name());
        node.put("partitions", c.replicasPerMember().getOrDefault(m, 0));
        node.put("primaries", c.primariesPerMember().getOrDefault(m, 0));
      }
      // Partitions move only through reconfiguration, which this release does not do yet.
      body.putArray("migrations");
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
}
