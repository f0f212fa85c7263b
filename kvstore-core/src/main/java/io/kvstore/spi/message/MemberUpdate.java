package io.kvstore.spi.message;

import io.kvstore.MemberStatus;
import io.kvstore.NodeId;
import io.kvstore.spi.Endpoint;
import java.util.Map;
import java.util.Objects;

/**
 * One piece of membership gossip: "member {@code id} at {@code address} is {@code status} at
 * {@code incarnation}". Piggybacked on probes and sent whole in push-pull exchanges.
 *
 * @param id the member's identity (name and boot id)
 * @param address the member's cluster endpoint
 * @param status alive, suspect, dead or left
 * @param incarnation the member's incarnation number; a member refutes suspicion by raising it
 * @param metadata the member's user metadata (its HTTP URL under {@code http}, for example)
 */
public record MemberUpdate(
    NodeId id, Endpoint address, MemberStatus status, long incarnation, Map<String, String> metadata) {
  /** Validates and copies. */
  public MemberUpdate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(status, "status");
    if (incarnation < 0) {
      throw new IllegalArgumentException("negative incarnation");
    }
    metadata = Map.copyOf(metadata);
  }
}
