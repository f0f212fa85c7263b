/** The node: composes partitions and protocol cores, and is the only place futures meet them. */
package io.kvstore.internal.node;
