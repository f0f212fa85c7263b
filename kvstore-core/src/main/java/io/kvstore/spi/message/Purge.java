package io.kvstore.spi.message;

import io.kvstore.NodeId;
import io.kvstore.spi.Message;

/**
 * "Drop {@code key}": sent by a proposer after every replica accepted the key's tombstone under
 * {@code ballot}. A replica drops the key only if its accepted ballot is still {@code ballot}, in
 * the same step raising its floors so that the key's ballots and versions never go backwards.
 *
 * @param source the proposer
 * @param target the replica addressed
 * @param key the register
 * @param ballot the ballot under which every replica accepted the tombstone
 * @param epoch the configuration epoch of the proposer; replicas of another epoch ignore it
 */
public record Purge(NodeId source, NodeId target, String key, Ballot ballot, long epoch) implements Message {}
