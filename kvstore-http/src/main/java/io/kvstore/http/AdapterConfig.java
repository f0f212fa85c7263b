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
 */
record AdapterConfig(
    String host,
    int port,
    int maxConnections,
    int maxBodyBytes,
    Duration idleTimeout,
    String advertisedUrl) {}
