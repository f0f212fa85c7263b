package io.kvstore.http;

/**
 * A request the adapter refuses before or instead of calling the store, with the status and
 * machine-readable code it answers with. Thrown by the parsing helpers, caught by the routes.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  ApiError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static ApiError badRequest(String code, String message) {
    return new ApiError(400, code, message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
