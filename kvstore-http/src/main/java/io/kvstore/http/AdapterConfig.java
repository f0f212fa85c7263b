package io.kvstore.http;

import java.time.Duration;

/**
 * The validated settings of an {@link HttpAdapter}.
 *
 * @param host the bind address
 * @param port the bind port, 0 for an ephemeral one
 * @param maxConnections the most connections open at once
 * @param maxBodyBytes the largest request body accepted
 * @param idleTimeout how long a connection may stay silent before it is closed
 * @param advertisedUrl the URL other nodes and clients should use, or {@code null}
 * @param ioThreads the adapter's own I/O threads (when it has no event loop group given)
 * @param eventLoopGroup the caller's group to serve on, or {@code null} for threads of its own
 */
record AdapterConfig(
    String host,
    int port,
    int maxConnections,
    int maxBodyBytes,
    Duration idleTimeout,
    String advertisedUrl,
    int ioThreads,
    io.netty.channel.EventLoopGroup eventLoopGroup) {}
