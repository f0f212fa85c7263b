/**
 * The UDP side of the cluster port: {@link io.kvstore.net.udp.UdpChannel} sends and receives gossip
 * datagrams, one envelope each, checked and delivered by its datagram handler. Internal to
 * kvstore-net.
 */
package io.kvstore.net.udp;
