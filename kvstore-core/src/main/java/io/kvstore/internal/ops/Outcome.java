package io.kvstore.internal.ops;

/**
 * What a command did.
 *
 * @param applied for writes: whether state changed (a CAS or put-if-absent that did not match, or a
 *     delete of an absent key, is not applied); for reads: whether the key was present
 * @param version for a read or a refused write: the current version (0 = absent); for an applied
 *     write: the new version (0 after a delete)
 * @param value for a read: the current value, else null
 */
public record Outcome(boolean applied, long version, byte[] value) {}
