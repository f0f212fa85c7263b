package io.kvstore.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.ContentionException;
import io.kvstore.KeyTooLargeException;
import io.kvstore.KvException;
import io.kvstore.OutcomeUnknownException;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.StoreClosedException;
import io.kvstore.ValueTooLargeException;
import io.kvstore.VersionConflictException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failure into the JSON error response the contract promises. The status says what the
 * caller may assume: 503 {@code unavailable} was not applied (retry later), 504 {@code
 * outcome_unknown} may or may not have been applied.
 *
 * <p>Unexpected errors become 500 {@code internal}; they are logged at warn with the stack trace,
 * at most once a minute so that a failing dependency cannot flood the log.
 *
 * <p>Thread-safe.
 */
final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(HttpAdapter.class);
  private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

  private final JsonCodec json;
  private final HttpMetrics metrics;
  private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

  ErrorMapper(JsonCodec json, HttpMetrics metrics) {
    this.json = json;
    this.metrics = metrics;
  }

  /** A JSON error response. */
  ApiResponse error(int status, String code, String message) {
    return ApiResponse.json(status, json.write(json.error(code, message)));
  }

  /** Maps any failure of a request to its response. */
  ApiResponse map(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ApiError e) {
      return error(e.status(), e.code(), e.getMessage());
    }
    if (t instanceof KvException e) {
      return mapStore(e);
    }
    if (t instanceof IllegalArgumentException) {
      return error(400, "bad_request", t.getMessage());
    }
    if (t instanceof RejectedExecutionException) {
      return error(503, "unavailable", "the server is shutting down");
    }
    if (t instanceof IllegalStateException) {
      return error(503, "unavailable", "store is not running: " + t.getMessage());
    }
    return internal(t);
  }

  private ApiResponse mapStore(KvException e) {
    if (e instanceof KeyTooLargeException) {
      return error(400, e.code(), e.getMessage());
    }
    if (e instanceof ValueTooLargeException) {
      return error(413, e.code(), e.getMessage());
    }
    if (e instanceof VersionConflictException conflict) {
      ObjectNode body = json.error(conflict.code(), conflict.getMessage());
      body.put("current_version", conflict.currentVersion());
      return ApiResponse.json(409, json.write(body));
    }
    if (e instanceof QuorumUnavailableException) {
      return error(503, "unavailable", "no quorum reachable, not applied: " + e.getMessage());
    }
    if (e instanceof StoreClosedException) {
      return error(503, "unavailable", "store is closed, not applied: " + e.getMessage());
    }
    if (e instanceof ContentionException) {
      return error(503, "unavailable", "contention on the key, not applied: " + e.getMessage());
    }
    if (e instanceof OutcomeUnknownException) {
      return error(
          504, e.code(), "outcome unknown, may or may not have applied: " + e.getMessage());
    }
    return internal(e);
  }

  private ApiResponse internal(Throwable t) {
    metrics.internalError();
    long now = System.nanoTime();
    long last = lastLogNanos.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
      LOG.warn(
          "HTTP request failed unexpectedly (further failures logged at most once a minute)", t);
    }
    return error(500, "internal", "internal error: " + t.getClass().getSimpleName());
  }

  static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    for (int i = 0;
        i < 8 && (cur instanceof CompletionException || cur instanceof ExecutionException);
        i++) {
      if (cur.getCause() == null) {
        break;
      }
      cur = cur.getCause();
    }
    return cur;
  }
}
