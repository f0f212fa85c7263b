/**
 * The standalone node: one {@link io.kvstore.KvStore} served over HTTP by the {@link
 * io.kvstore.http.HttpAdapter}, configured by a validated {@link
 * io.kvstore.examples.node.NodeSettings}. The command line that runs it in the foreground lives in
 * {@code io.kvstore.examples.cli}.
 */
package io.kvstore.examples.node;
