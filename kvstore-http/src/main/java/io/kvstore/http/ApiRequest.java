package io.kvstore.http;

import java.util.Objects;

/**
 * A decoded HTTP request as the routes see it: no Netty types, so routing is testable on its own.
 *
 * @param method the request method, upper-case ({@code GET}, {@code PUT}, ...)
 * @param uri the request target as sent (path and optional query, still percent-encoded)
 * @param body the request body (owned by this record; empty when there is none)
 */
record ApiRequest(String method, String uri, byte[] body) {
  ApiRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(body, "body");
  }
}
