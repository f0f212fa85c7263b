/**
 * An HTTP/1.1 adapter that serves a {@link io.kvstore.KvStore} over JSON: {@code /kv/{key}} for
 * reads and writes, {@code /health}, {@code /cluster/members} and {@code /metrics}. It uses only
 * the public store API. {@link io.kvstore.http.HttpAdapter} is the single public type; the rest are
 * small pipeline handlers and pure helpers (routing, key decoding, JSON, error mapping, metrics).
 */
package io.kvstore.http;
