/**
 * Client operations as pure change functions over one key's record: the same code applies a
 * command on a single node and, later, inside each consensus round.
 */
package io.kvstore.internal.ops;
