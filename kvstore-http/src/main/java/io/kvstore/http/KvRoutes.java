package io.kvstore.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.AsyncKvStore;
import io.kvstore.Versioned;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code GET}, {@code PUT} and {@code DELETE} of {@code /kv/{key}} over {@link AsyncKvStore}.
 * Request validation happens on the calling thread; the store's answer is turned into a response on
 * {@code executor}, never on the store's thread.
 *
 * <p>Thread-safe.
 */
final class KvRoutes {
  private static final Set<String> PUT_OPTIONS = Set.of("version", "ttl");

  private final AsyncKvStore store;
  private final JsonCodec json;
  private final ErrorMapper errors;

  KvRoutes(AsyncKvStore store, JsonCodec json, ErrorMapper errors) {
    this.store = store;
    this.json = json;
    this.errors = errors;
  }

  CompletableFuture<ApiResponse> get(String encodedKey, String query, Executor executor) {
    String key = KeyCodec.decode(encodedKey);
    QueryOptions.parse(query, Set.of());
    return call(
        () -> store.get(key),
        executor,
        found -> found.map(v -> value(key, v)).orElseGet(() -> notFound(key)));
  }

  CompletableFuture<ApiResponse> put(
      String encodedKey, String query, byte[] body, Executor executor) {
    String key = KeyCodec.decode(encodedKey);
    QueryOptions options = QueryOptions.parse(query, PUT_OPTIONS);
    byte[] value = json.encodeValue(json.parseValueBody(body));
    Supplier<CompletableFuture<Long>> op;
    if (options.version() != null && options.ttl() != null) {
      throw ApiError.badRequest("bad_request", "ttl and version cannot be combined in one write");
    } else if (options.version() != null) {
      long expected = options.version();
      op = () -> store.replace(key, expected, value);
    } else if (options.ttl() != null) {
      op = () -> store.put(key, value, options.ttl());
    } else {
      op = () -> store.put(key, value);
    }
    return call(op, executor, version -> written(key, version));
  }

  CompletableFuture<ApiResponse> delete(String encodedKey, String query, Executor executor) {
    String key = KeyCodec.decode(encodedKey);
    QueryOptions.parse(query, Set.of());
    return call(
        () -> store.delete(key), executor, deleted -> deleted ? deleted(key) : notFound(key));
  }

  /**
   * Calls the store and maps its answer on {@code executor}; synchronous throws become failures.
   */
  private <T> CompletableFuture<ApiResponse> call(
      Supplier<CompletableFuture<T>> op, Executor executor, Function<T, ApiResponse> onSuccess) {
    CompletableFuture<T> pending;
    try {
      pending = op.get();
    } catch (RuntimeException e) {
      pending = CompletableFuture.failedFuture(e);
    }
    return pending.handleAsync((r, e) -> e == null ? onSuccess.apply(r) : errors.map(e), executor);
  }

  private ApiResponse value(String key, Versioned<byte[]> v) {
    ObjectNode body = json.object();
    body.put("key", key);
    body.set("value", json.decodeStored(v.value()));
    body.put("version", v.version());
    return ApiResponse.json(200, json.write(body));
  }

  private ApiResponse written(String key, long version) {
    ObjectNode body = json.object();
    body.put("key", key);
    body.put("version", version);
    return ApiResponse.json(200, json.write(body));
  }

  private ApiResponse deleted(String key) {
    ObjectNode body = json.object();
    body.put("key", key);
    body.put("deleted", true);
    return ApiResponse.json(200, json.write(body));
  }

  private ApiResponse notFound(String key) {
    return errors.error(404, "not_found", "key '" + key + "' not found");
  }
}
