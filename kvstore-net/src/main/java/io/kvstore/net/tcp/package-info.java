/**
 * The TCP side of the cluster port: {@link io.kvstore.net.tcp.TcpServer} accepts connections and
 * runs the server half of the handshake; {@link io.kvstore.net.tcp.PeerConnections} keeps one
 * outbound connection per peer, with handshake, bounded queueing, backoff and batched flushes.
 * Internal to kvstore-net.
 */
package io.kvstore.net.tcp;
