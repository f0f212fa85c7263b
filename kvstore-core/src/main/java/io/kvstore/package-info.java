/**
 * The public API of kvstore: {@link io.kvstore.KvStore} (blocking), {@link io.kvstore.AsyncKvStore}
 * ({@code CompletableFuture}), the {@link io.kvstore.KvStoreBuilder}, values with versions, and the
 * typed exceptions every operation can end with. Everything outside this package and {@code
 * io.kvstore.spi} is internal and may change without notice.
 */
package io.kvstore;
