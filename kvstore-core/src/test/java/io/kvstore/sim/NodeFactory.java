package io.kvstore.sim;

/**
 * Boots one incarnation of a simulated node: builds the production classes on the seams of {@code
 * context} and starts them. Called at first start and at every restart (a fresh process: nothing
 * may be carried over from an earlier incarnation).
 */
@FunctionalInterface
public interface NodeFactory {
  /** Boots a node; returns it, for tests that want to reach it. */
  Object boot(NodeContext context);
}
