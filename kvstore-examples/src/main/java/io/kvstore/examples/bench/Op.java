package io.kvstore.examples.bench;

/**
 * One operation to issue.
 *
 * @param type what to do
 * @param key the key
 * @param client the issuing client's index; targets use it to pick a connection
 */
record Op(OpType type, String key, int client) {}
