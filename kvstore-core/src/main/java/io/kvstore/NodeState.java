package io.kvstore;

/** Lifecycle of a node: {@code NEW → STARTING → RUNNING → LEAVING → CLOSED}. */
public enum NodeState {
  /** Built, not started. Operations throw {@link IllegalStateException}. */
  NEW,
  /** Binding ports and joining the cluster. */
  STARTING,
  /** Serving operations. */
  RUNNING,
  /** Closing: finishing in-flight operations, leaving the cluster. New operations are refused. */
  LEAVING,
  /** Closed. Operations throw {@link StoreClosedException}. */
  CLOSED
}
