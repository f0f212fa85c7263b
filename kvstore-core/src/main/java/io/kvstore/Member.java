package io.kvstore;

import java.util.Map;
import java.util.Objects;

/**
 * One member of the cluster as this node sees it.
 *
 * @param id the member's identity
 * @param address the member's cluster address, {@code host:port}
 * @param status alive, suspect, dead or left
 * @param incarnation the member's incarnation number (raised by the member to refute suspicion)
 * @param metadata user metadata the member published (for example its HTTP URL under {@code http})
 */
public record Member(
    NodeId id, String address, MemberStatus status, long incarnation, Map<String, String> metadata) {
  /** Copies the metadata. */
  public Member {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(status, "status");
    metadata = Map.copyOf(metadata);
  }
}
