package io.kvstore.examples.cli;

import java.util.Optional;

/**
 * What this release can run. Replication is not implemented yet, so only single-node deployments
 * are allowed; the multi-node flags are already parsed and validated, and lifting the limit is the
 * one-line change of {@link #MULTI_NODE_AVAILABLE}.
 */
final class ReleaseLimits {
  /** Whether nodes may form clusters of more than one node. */
  static final boolean MULTI_NODE_AVAILABLE = false;

  static final String MULTI_NODE_UNAVAILABLE =
      "multi-node clusters are not available in this version: replication is not implemented"
          + " yet; run a single node";

  /** Exit code of a refused request, the same as a usage error. */
  static final int REFUSED = 2;

  private ReleaseLimits() {}

  /** The reason to refuse a request for {@code nodes} nodes, if this release cannot serve it. */
  static Optional<String> refuseMultiNode(boolean multiNode) {
    return multiNode && !MULTI_NODE_AVAILABLE
        ? Optional.of(MULTI_NODE_UNAVAILABLE)
        : Optional.empty();
  }
}
