package io.kvstore.http;

import java.util.Objects;

/**
 * A response ready to be written: status, content type, body and the optional {@code Allow} header
 * of a 405.
 *
 * @param status the HTTP status code
 * @param contentType the {@code Content-Type} header value
 * @param body the encoded body
 * @param allow the {@code Allow} header value, or {@code null}
 */
record ApiResponse(int status, String contentType, byte[] body, String allow) {
  static final String JSON = "application/json";

  ApiResponse {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
  }

  static ApiResponse json(int status, byte[] body) {
    return new ApiResponse(status, JSON, body, null);
  }
}
