package io.kvstore.http;

import io.kvstore.http.HttpMetrics.Route;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Dispatches a request to its route and counts the answer. Routes:
 *
 * <ul>
 *   <li>{@code /kv/{key}}: {@code GET}, {@code PUT}, {@code DELETE} ({@link KvRoutes});
 *   <li>{@code /health}, {@code /cluster}, {@code /cluster/members}: {@code GET} ({@link
 *       ClusterRoutes});
 *   <li>{@code /cluster/members/{id}}: {@code DELETE} ({@link ClusterRoutes#removeMember});
 *   <li>{@code /cluster/recover}: {@code POST} ({@link ClusterRoutes#recover});
 *   <li>{@code /metrics}: {@code GET}, Prometheus text.
 * </ul>
 *
 * <p>Everything else is 404, a known path with another method 405 with {@code Allow}. The returned
 * future never fails: every failure is mapped to its error response, and dependent work runs on
 * {@code executor} (the connection's event loop) rather than on a store thread.
 *
 * <p>Thread-safe.
 */
final class Router {
  private static final String KV_PREFIX = "/kv/";
  private static final String MEMBER_PREFIX = "/cluster/members/";

  private final KvRoutes kv;
  private final ClusterRoutes cluster;
  private final ErrorMapper errors;
  private final HttpMetrics metrics;
  private final Supplier<String> metricsText;

  Router(
      KvRoutes kv,
      ClusterRoutes cluster,
      ErrorMapper errors,
      HttpMetrics metrics,
      Supplier<String> metricsText) {
    this.kv = kv;
    this.cluster = cluster;
    this.errors = errors;
    this.metrics = metrics;
    this.metricsText = metricsText;
  }

  /** Serves one request; the future completes on {@code executor} and never exceptionally. */
  CompletableFuture<ApiResponse> handle(ApiRequest request, Executor executor) {
    String target = stripAuthority(request.uri());
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? "" : target.substring(q + 1);
    String method = request.method();
    Route route = Route.OTHER;
    metrics.requestStarted();
    CompletableFuture<ApiResponse> result;
    try {
      if (path.startsWith(KV_PREFIX)) {
        route = kvRoute(method);
        String encodedKey = path.substring(KV_PREFIX.length());
        result =
            switch (method) {
              case "GET" -> kv.get(encodedKey, query, executor);
              case "PUT" -> kv.put(encodedKey, query, request.body(), executor);
              case "DELETE" -> kv.delete(encodedKey, query, executor);
              default -> notAllowed(method, path, "GET, PUT, DELETE");
            };
      } else if (path.equals("/health")) {
        route = Route.HEALTH;
        result = method.equals("GET") ? done(cluster.health()) : notAllowed(method, path, "GET");
      } else if (path.startsWith(MEMBER_PREFIX)) {
        route = method.equals("DELETE") ? Route.CLUSTER_MEMBER_DELETE : Route.OTHER;
        String encodedId = path.substring(MEMBER_PREFIX.length());
        result =
            method.equals("DELETE")
                ? cluster.removeMember(encodedId, query, executor)
                : notAllowed(method, path, "DELETE");
      } else if (path.equals("/cluster/recover")) {
        route = method.equals("POST") ? Route.CLUSTER_RECOVER : Route.OTHER;
        result =
            method.equals("POST")
                ? cluster.recover(request.body(), query, executor)
                : notAllowed(method, path, "POST");
      } else if (path.equals("/cluster/members")) {
        route = Route.CLUSTER_MEMBERS;
        result = method.equals("GET") ? done(cluster.members()) : notAllowed(method, path, "GET");
      } else if (path.equals("/cluster")) {
        route = Route.CLUSTER;
        result = method.equals("GET") ? done(cluster.cluster()) : notAllowed(method, path, "GET");
      } else if (path.equals("/metrics")) {
        route = Route.METRICS;
        result = method.equals("GET") ? done(prometheus()) : notAllowed(method, path, "GET");
      } else {
        result = done(errors.error(404, "not_found", "no route for " + method + " " + path));
      }
    } catch (RuntimeException e) {
      result = done(errors.map(e));
    }
    Route counted = route;
    return result
        .exceptionally(errors::map)
        .thenApply(
            response -> {
              metrics.requestFinished();
              metrics.answered(counted, response.status());
              return response;
            });
  }

  private static Route kvRoute(String method) {
    return switch (method) {
      case "GET" -> Route.KV_GET;
      case "PUT" -> Route.KV_PUT;
      case "DELETE" -> Route.KV_DELETE;
      default -> Route.OTHER;
    };
  }

  private ApiResponse prometheus() {
    byte[] body = metricsText.get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return new ApiResponse(200, "text/plain; version=0.0.4; charset=utf-8", body, null);
  }

  private CompletableFuture<ApiResponse> notAllowed(String method, String path, String allow) {
    ApiResponse base =
        errors.error(
            405,
            "method_not_allowed",
            method + " is not allowed on " + path + "; allowed: " + allow);
    return done(new ApiResponse(base.status(), base.contentType(), base.body(), allow));
  }

  private static CompletableFuture<ApiResponse> done(ApiResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  /** Accepts the absolute form ({@code http://host:port/path}) as well as the usual origin form. */
  private static String stripAuthority(String uri) {
    int scheme = uri.indexOf("://");
    if (scheme > 0 && !uri.startsWith("/")) {
      int slash = uri.indexOf('/', scheme + 3);
      return slash < 0 ? "/" : uri.substring(slash);
    }
    return uri;
  }
}
