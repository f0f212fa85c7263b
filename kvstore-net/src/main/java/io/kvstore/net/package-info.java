/**
 * The Netty transport: {@link io.kvstore.net.NettyTransport} implements {@link
 * io.kvstore.spi.Transport} with protobuf envelopes over TCP (ordered streams, one outbound
 * connection per peer, handshake with cluster name and protocol version) and UDP (gossip
 * datagrams), both on the node's cluster port. The wire format is described in {@code
 * docs/PROTOCOL.md}; the subpackages hold the codec, the TCP side and the UDP side.
 */
package io.kvstore.net;
