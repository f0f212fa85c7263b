package io.kvstore.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query options of a key request: {@code version} (conditional write; 0 = only if absent) and
 * {@code ttl} ({@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or plain seconds). Unknown
 * options and repeated options are refused so that a typo never silently changes a write.
 *
 * @param version the expected version, or {@code null}
 * @param ttl the time to live, or {@code null}
 */
record QueryOptions(Long version, Duration ttl) {
  static final QueryOptions NONE = new QueryOptions(null, null);

  private static final Pattern TTL = Pattern.compile("([0-9]{1,18})(ms|s|m|h)?");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,19}");

  /**
   * Parses the raw query (without {@code ?}; may be empty) allowing only {@code allowed} names.
   *
   * @throws ApiError {@code bad_request} for an unknown, repeated or invalid option
   */
  static QueryOptions parse(String rawQuery, Set<String> allowed) {
    if (rawQuery.isEmpty()) {
      return NONE;
    }
    Map<String, List<String>> params;
    try {
      params = new QueryStringDecoder(rawQuery, false).parameters();
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("bad_request", "malformed query string: " + e.getMessage());
    }
    Long version = null;
    Duration ttl = null;
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      String name = e.getKey();
      if (!allowed.contains(name)) {
        throw ApiError.badRequest(
            "bad_request",
            "unknown query parameter '"
                + name
                + "'"
                + (allowed.isEmpty()
                    ? "; this request takes none"
                    : "; allowed: " + String.join(", ", allowed.stream().sorted().toList())));
      }
      if (e.getValue().size() != 1) {
        throw ApiError.badRequest("bad_request", "query parameter '" + name + "' is repeated");
      }
      String value = e.getValue().get(0);
      if (name.equals("version")) {
        version = parseVersion(value);
      } else if (name.equals("ttl")) {
        ttl = parseTtl(value);
      }
    }
    return new QueryOptions(version, ttl);
  }

  static long parseVersion(String text) {
    try {
      if (VERSION.matcher(text).matches()) {
        return Long.parseLong(text);
      }
    } catch (NumberFormatException e) {
      // Too large: reported below.
    }
    throw ApiError.badRequest(
        "bad_request",
        "version must be a non-negative integer (0 = only if absent), got '" + text + "'");
  }

  static Duration parseTtl(String text) {
    Matcher m = TTL.matcher(text);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      try {
        Duration ttl =
            switch (unit) {
              case "ms" -> Duration.ofMillis(amount);
              case "m" -> Duration.ofMinutes(amount);
              case "h" -> Duration.ofHours(amount);
              default -> Duration.ofSeconds(amount);
            };
        if (ttl.isZero()) {
          throw ApiError.badRequest("bad_request", "ttl must be positive, got '" + text + "'");
        }
        ttl.toNanos(); // the store works in nanoseconds: refuse what does not fit
        return ttl;
      } catch (ArithmeticException e) {
        throw ApiError.badRequest("bad_request", "ttl is too large: '" + text + "'");
      }
    }
    throw ApiError.badRequest(
        "bad_request",
        "ttl must look like 500ms, 30s, 2m, 1h or a number of seconds, got '" + text + "'");
  }
}
