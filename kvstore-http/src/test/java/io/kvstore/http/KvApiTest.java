package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code /kv/{key}} routes through a real HTTP client against a real store. */
class KvApiTest extends AdapterFixture {
  @BeforeEach
  void startAdapter() {
    start();
  }

  @Test
  void putGetDeleteGetIsTheDocumentedSequence() {
    HttpResponse<String> put = put("/kv/mykey", "{\"value\": \"test123\"}");
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(put.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode written = json(put);
    assertThat(written.get("key").asText()).isEqualTo("mykey");
    long version = written.get("version").asLong();
    assertThat(version).isPositive();

    HttpResponse<String> get = get("/kv/mykey");
    assertThat(get.statusCode()).isEqualTo(200);
    JsonNode read = json(get);
    assertThat(read.get("key").asText()).isEqualTo("mykey");
    assertThat(read.get("value").isTextual()).isTrue();
    assertThat(read.get("value").asText()).isEqualTo("test123");
    assertThat(read.get("version").asLong()).isEqualTo(version);

    HttpResponse<String> deleted = delete("/kv/mykey");
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(json(deleted).get("deleted").asBoolean()).isTrue();
    assertThat(json(deleted).get("key").asText()).isEqualTo("mykey");

    JsonNode missing = assertError(get("/kv/mykey"), 404, "not_found");
    assertThat(missing.get("message").asText()).contains("mykey");
    assertError(delete("/kv/mykey"), 404, "not_found");
  }

  @Test
  void overwritingRaisesTheVersion() {
    long v1 = json(put("/kv/k", "{\"value\": 1}")).get("version").asLong();
    long v2 = json(put("/kv/k", "{\"value\": 2}")).get("version").asLong();
    assertThat(v2).isGreaterThan(v1);
    assertThat(get("/kv/k").body()).isEqualTo("{\"key\":\"k\",\"value\":2,\"version\":" + v2 + "}");
  }

  /** Each row: the value as sent, the value as the GET response must show it (compact JSON). */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "\"test123\"                  | \"test123\"",
        "\"\"                         | \"\"",
        "42                           | 42",
        "-7                           | -7",
        "9223372036854775807          | 9223372036854775807",
        "123456789012345678901234567890123 | 123456789012345678901234567890123",
        "0.1                          | 0.1",
        "1.10                         | 1.10",
        "3.141592653589793238462643383279502884197 | 3.141592653589793238462643383279502884197",
        "1e400                        | 1E+400",
        "-2.5E-300                    | -2.5E-300",
        "true                         | true",
        "false                        | false",
        "null                         | null",
        "[ 1, \"two\", null, [ 3.0 ] ]   | [1,\"two\",null,[3.0]]",
        "{ \"a\": { \"b\": [1, {\"c\": \"d\"}] }, \"e\": 0.5 } |"
            + " {\"a\":{\"b\":[1,{\"c\":\"d\"}]},\"e\":0.5}",
        "{}                           | {}",
        "\"h\u00e9llo \u2713 \ud83d\ude00 \u4e2d\u6587\"   | \"h\u00e9llo \u2713 \ud83d\ude00"
            + " \u4e2d\u6587\"",
        "\"line\\nbreak \\\"quoted\\\" \\\\ tab\\t\" | \"line\\nbreak \\\"quoted\\\" \\\\ tab\\t\"",
        "\"\\u00e9\\u2713\"             | \"\u00e9\u2713\"",
      })
  void everyJsonValueKindRoundTripsExactly(String sent, String shown) {
    HttpResponse<String> put = put("/kv/value", "{\"value\": " + sent + "}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    long version = json(put).get("version").asLong();
    HttpResponse<String> get = get("/kv/value");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body())
        .isEqualTo("{\"key\":\"value\",\"value\":" + shown + ",\"version\":" + version + "}");
    // Stored as the compact JSON text itself, so Java applications read the same bytes.
    assertThat(new String(store.get("value").orElseThrow().value(), StandardCharsets.UTF_8))
        .isEqualTo(shown);
  }

  @Test
  void bytesWrittenByJavaThatAreNotJsonAreShownAsAString() {
    store.put("raw", "hi {there".getBytes(StandardCharsets.UTF_8));
    assertThat(json(get("/kv/raw")).get("value").asText()).isEqualTo("hi {there");
    store.put("empty", new byte[0]);
    assertThat(json(get("/kv/empty")).get("value").asText()).isEmpty();
    store.put("number", "17".getBytes(StandardCharsets.UTF_8));
    assertThat(json(get("/kv/number")).get("value").isNumber()).isTrue();
  }

  @Test
  void percentEncodedKeysAreDecodedAsUtf8() {
    assertThat(put("/kv/a%2Fb", "{\"value\": 1}").statusCode()).isEqualTo(200);
    assertThat(store.get("a/b")).isPresent();
    assertThat(json(get("/kv/a%2Fb")).get("key").asText()).isEqualTo("a/b");
    // Everything after /kv/ is the key: a raw slash names the same key.
    assertThat(json(get("/kv/a/b")).get("value").asInt()).isEqualTo(1);

    assertThat(put("/kv/%E2%9C%93", "{\"value\": \"check\"}").statusCode()).isEqualTo(200);
    assertThat(store.get("\u2713")).isPresent();
    assertThat(json(get("/kv/%E2%9C%93")).get("key").asText()).isEqualTo("\u2713");

    assertThat(put("/kv/%F0%9F%98%80%20x+y", "{\"value\": 2}").statusCode()).isEqualTo(200);
    assertThat(store.get("\ud83d\ude00 x+y")).isPresent();
  }

  @Test
  void queryStringIsNotPartOfTheKey() {
    put("/kv/q", "{\"value\": 1}");
    assertThat(store.get("q")).isPresent();
    assertError(get("/kv/q?unknown=1"), 400, "bad_request");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/kv/a%zz", "/kv/a%", "/kv/a%4", "/kv/%C3%28", "/kv/%FF"})
  void malformedPercentEncodingIsABadKey(String target) throws Exception {
    assertError(
        RawHttp.exchange(adapter.port(), RawHttp.request("GET", target, null)), 400, "bad_key");
  }

  @Test
  void emptyKeyIsABadKey() {
    assertError(get("/kv/"), 400, "bad_key");
  }

  @Test
  void keyLongerThanTheStoreLimitIsRefused() {
    String limit = "k".repeat(1024);
    assertThat(put("/kv/" + limit, "{\"value\": 1}").statusCode()).isEqualTo(200);
    JsonNode error = assertError(put("/kv/" + limit + "k", "{\"value\": 1}"), 400, "key_too_large");
    assertThat(error.get("message").asText()).contains("1025");
    // Two-byte characters count as two bytes.
    assertError(get("/kv/" + "%C3%A9".repeat(513)), 400, "key_too_large");
  }

  @Test
  void valueLargerThanTheStoreLimitIs413() {
    String big = "x".repeat(1024 * 1024);
    assertError(put("/kv/big", "{\"value\": \"" + big + "\"}"), 413, "value_too_large");
    assertThat(store.get("big")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{\"value\": | malformed_json",
        "not json | malformed_json",
        "{\"value\": 1} trailing | malformed_json",
        "{\"value\": 1, \"value\": 2} | malformed_json",
        "`   ` | malformed_json",
        "{\"other\": 1} | missing_value",
        "{} | missing_value",
        "[1, 2] | not_an_object",
        "\"text\" | not_an_object",
        "42 | not_an_object",
        "null | not_an_object",
      })
  void badBodiesAreRefusedWithTheirCode(String body, String code) {
    assertError(put("/kv/b", body), 400, code);
    assertThat(store.get("b")).isEmpty();
  }

  @Test
  void emptyBodyIsMalformedJson() {
    assertError(send("PUT", "/kv/b", null), 400, "malformed_json");
  }

  @Test
  void anyContentTypeIsAccepted() throws Exception {
    String form =
        "PUT /kv/form HTTP/1.1\r\n"
            + "Host: x\r\n"
            + "Connection: close\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: 12\r\n\r\n"
            + "{\"value\":10}";
    assertThat(RawHttp.exchange(adapter.port(), form).status()).isEqualTo(200);
    String none =
        "PUT /kv/none HTTP/1.1\r\n"
            + "Host: x\r\n"
            + "Connection: close\r\n"
            + "Content-Length: 12\r\n\r\n"
            + "{\"value\":11}";
    assertThat(RawHttp.exchange(adapter.port(), none).status()).isEqualTo(200);
    assertThat(json(get("/kv/none")).get("value").asInt()).isEqualTo(11);
  }

  @Test
  void conditionalPutCreatesOnlyWhenAbsentThenComparesVersions() {
    HttpResponse<String> created = put("/kv/c?version=0", "{\"value\": \"a\"}");
    assertThat(created.statusCode()).isEqualTo(200);
    long v1 = json(created).get("version").asLong();

    JsonNode conflict =
        assertError(put("/kv/c?version=0", "{\"value\": \"b\"}"), 409, "version_conflict");
    assertThat(conflict.get("current_version").asLong()).isEqualTo(v1);

    HttpResponse<String> replaced = put("/kv/c?version=" + v1, "{\"value\": \"c\"}");
    assertThat(replaced.statusCode()).isEqualTo(200);
    long v2 = json(replaced).get("version").asLong();
    assertThat(v2).isGreaterThan(v1);

    JsonNode stale =
        assertError(put("/kv/c?version=" + v1, "{\"value\": \"d\"}"), 409, "version_conflict");
    assertThat(stale.get("current_version").asLong()).isEqualTo(v2);
    assertThat(json(get("/kv/c")).get("value").asText()).isEqualTo("c");

    JsonNode absent =
        assertError(put("/kv/never?version=5", "{\"value\": 1}"), 409, "version_conflict");
    assertThat(absent.get("current_version").asLong()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "-1", "1.5", "", "99999999999999999999"})
  void badVersionIs400(String version) {
    assertError(put("/kv/c?version=" + version, "{\"value\": 1}"), 400, "bad_request");
  }

  @Test
  void ttlExpiresTheKey() {
    assertThat(put("/kv/t?ttl=200ms", "{\"value\": 1}").statusCode()).isEqualTo(200);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int status = 200;
    while (status == 200 && System.nanoTime() < deadline) {
      status = get("/kv/t").statusCode();
    }
    assertThat(status).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"30s", "2m", "1h", "45", "1500ms"})
  void ttlAcceptsItsUnits(String ttl) {
    assertThat(put("/kv/t?ttl=" + ttl, "{\"value\": 1}").statusCode()).isEqualTo(200);
    assertThat(get("/kv/t").statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0", "0s", "-5s", "10d", "1.5s", "", "999999999999999999h"})
  void badTtlIs400(String ttl) {
    assertError(put("/kv/t?ttl=" + ttl, "{\"value\": 1}"), 400, "bad_request");
    assertThat(store.get("t")).isEmpty();
  }

  @Test
  void ttlAndVersionTogetherAre400() {
    assertError(put("/kv/t?ttl=5s&version=0", "{\"value\": 1}"), 400, "bad_request");
  }

  @Test
  void repeatedOptionIs400() {
    assertError(put("/kv/t?ttl=5s&ttl=6s", "{\"value\": 1}"), 400, "bad_request");
  }

  @Test
  void closedStoreAnswers503Unavailable() {
    store.close();
    JsonNode error = assertError(put("/kv/x", "{\"value\": 1}"), 503, "unavailable");
    assertThat(error.get("message").asText()).contains("closed");
    assertError(get("/kv/x"), 503, "unavailable");
  }
}
