package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.KvStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * A started store and an adapter on an ephemeral loopback port, closed after each test (also when
 * it fails), plus small request helpers. Fails a test when Netty reports a buffer leak.
 */
abstract class AdapterFixture {
  static {
    LeakDetection.install();
  }

  static final ObjectMapper MAPPER = new ObjectMapper();

  KvStore store;
  HttpAdapter adapter;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Starts a store and an adapter configured by {@code config} (host and port are set here). */
  HttpAdapter start(UnaryOperator<HttpAdapter.Builder> config) {
    store = KvStore.builder().build().start();
    adapter = config.apply(HttpAdapter.builder(store).host("127.0.0.1").port(0)).build().start();
    return adapter;
  }

  /** Starts a store and an adapter serving it through a {@link ScriptedStore}, returned. */
  ScriptedStore startScripted() {
    store = KvStore.builder().build().start();
    ScriptedStore scripted = new ScriptedStore(store);
    adapter = HttpAdapter.builder(scripted.store()).host("127.0.0.1").port(0).build().start();
    return scripted;
  }

  HttpAdapter start() {
    return start(b -> b);
  }

  @AfterEach
  void closeAll() {
    try {
      if (adapter != null) {
        adapter.close();
      }
    } finally {
      if (store != null) {
        store.close();
      }
    }
    assertThat(LeakDetection.drainLeaks()).as("Netty buffer leaks").isEmpty();
  }

  HttpResponse<String> send(String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(adapter.url() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    try {
      return client.send(b.build(), BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  HttpResponse<String> get(String path) {
    return send("GET", path, null);
  }

  HttpResponse<String> put(String path, String body) {
    return send("PUT", path, body);
  }

  HttpResponse<String> delete(String path) {
    return send("DELETE", path, null);
  }

  static JsonNode json(HttpResponse<String> response) {
    return json(response.body());
  }

  static JsonNode json(String body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  /** Asserts an error response: status, JSON content type and error code. */
  static JsonNode assertError(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = json(response);
    assertThat(body.path("error").asText()).isEqualTo(code);
    assertThat(body.path("message").asText()).isNotBlank();
    return body;
  }

  static JsonNode assertError(RawHttp.Response response, int status, String code) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    JsonNode body = json(response.body());
    assertThat(body.path("error").asText()).isEqualTo(code);
    assertThat(body.path("message").asText()).isNotBlank();
    return body;
  }
}
