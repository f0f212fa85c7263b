/**
 * Service-provider seams between the I/O-free protocol cores and the world: {@link
 * io.kvstore.spi.Clock}, {@link io.kvstore.spi.EventLoop} and {@link io.kvstore.spi.Transport}.
 * Production plugs in system time, threads and Netty; the deterministic simulator plugs in virtual
 * time, one thread and a lossy simulated network. For transport implementors and tests; these
 * interfaces may change in minor versions.
 */
package io.kvstore.spi;
