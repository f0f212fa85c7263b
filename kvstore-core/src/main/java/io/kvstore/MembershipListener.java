package io.kvstore;

/**
 * Receives membership changes. Called on the store's listener executor (configurable through
 * {@link KvStoreBuilder#listenerExecutor}), never on a protocol thread, one event at a time and in
 * the order this node saw them.
 */
@FunctionalInterface
public interface MembershipListener {
  /** Called for each change. Exceptions thrown here are logged and otherwise ignored. */
  void onEvent(MembershipEvent event);
}
