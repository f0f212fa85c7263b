package io.kvstore.internal.replication;

import io.kvstore.internal.ops.Outcome;

/** How a proposal ended. A value, not an exception: the driver maps it to the public errors. */
public sealed interface ProposalResult {
  /** Linearized with this outcome. */
  record Done(Outcome outcome) implements ProposalResult {}

  /** Definitely not applied: no quorum could be reached. */
  record Unavailable(String reason) implements ProposalResult {}

  /** Definitely not applied: preempted by competing proposers too many times. */
  record Contention(String reason) implements ProposalResult {}

  /** May or may not have been applied (an accept left and its fate is not known). */
  record Unknown(String reason) implements ProposalResult {}
}
