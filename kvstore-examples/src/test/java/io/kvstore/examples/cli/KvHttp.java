package io.kvstore.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP calls the process tests make: single requests, and bulk writes and reads with a bounded
 * number in flight. Values are JSON strings.
 */
final class KvHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  /** An answer: the status (-1 when the request failed without one) and the body or error. */
  record Answer(int status, String body) {}

  private static HttpRequest put(String url, String key, String value) {
    return HttpRequest.newBuilder(URI.create(url + "/kv/" + key))
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":" + quote(value) + "}"))
        .build();
  }

  private static HttpRequest get(String url, String path, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(url + path)).timeout(timeout).GET().build();
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private Answer send(HttpRequest request) throws InterruptedException {
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    }
  }

  /** {@code PUT /kv/{key}} with a JSON string value. */
  Answer putString(String url, String key, String value) throws InterruptedException {
    return send(put(url, key, value));
  }

  /** {@code GET} of a JSON document, or null if the node does not answer 200 with JSON. */
  JsonNode json(String url, String path, Duration timeout) throws InterruptedException {
    Answer a = send(get(url, path, timeout));
    if (a.status() != 200) {
      return null;
    }
    try {
      return JSON.readTree(a.body());
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code GET path} as text for failure messages: the body, or what went wrong. */
  String describe(String url, String path) throws InterruptedException {
    Answer a = send(get(url, path, Duration.ofSeconds(3)));
    return a.status() == 200 ? a.body() : "(" + a.status() + ") " + a.body();
  }

  /**
   * Writes every entry once, spreading them over {@code urls}, at most {@code inFlight} at a time.
   *
   * @return the entries acknowledged with 200
   */
  Map<String, String> putAll(List<String> urls, Map<String, String> entries, int inFlight)
      throws InterruptedException {
    Map<String, String> acked = new ConcurrentHashMap<>();
    Semaphore slots = new Semaphore(inFlight);
    List<CompletableFuture<?>> all = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, String> e : entries.entrySet()) {
      slots.acquire();
      String url = urls.get(i++ % urls.size());
      all.add(
          client
              .sendAsync(put(url, e.getKey(), e.getValue()), HttpResponse.BodyHandlers.ofString())
              .handle(
                  (r, t) -> {
                    slots.release();
                    if (t == null && r.statusCode() == 200) {
                      acked.put(e.getKey(), e.getValue());
                    }
                    return null;
                  }));
    }
    awaitAll(all);
    return acked;
  }

  /**
   * Reads every expected entry through every url, at most {@code inFlight} at a time.
   *
   * @return one line per read that did not return the expected value (empty: all good)
   */
  List<String> verify(List<String> urls, Map<String, String> expected, int inFlight)
      throws InterruptedException {
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger checked = new AtomicInteger();
    Semaphore slots = new Semaphore(inFlight);
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (String url : urls) {
      for (Map.Entry<String, String> e : expected.entrySet()) {
        slots.acquire();
        all.add(
            client
                .sendAsync(
                    get(url, "/kv/" + e.getKey(), REQUEST_TIMEOUT),
                    HttpResponse.BodyHandlers.ofString())
                .handle(
                    (r, t) -> {
                      slots.release();
                      checked.incrementAndGet();
                      String problem = check(e.getKey(), e.getValue(), r, t);
                      if (problem != null) {
                        problems.add(url + ": " + problem);
                      }
                      return null;
                    }));
      }
    }
    awaitAll(all);
    return problems;
  }

  private static String check(String key, String value, HttpResponse<String> r, Throwable t) {
    if (t != null) {
      return key + ": request failed: " + t;
    }
    if (r.statusCode() != 200) {
      return key + ": status " + r.statusCode() + " " + r.body();
    }
    try {
      JsonNode v = JSON.readTree(r.body()).get("value");
      if (v == null || !v.isTextual() || !v.asText().equals(value)) {
        return key + ": expected \"" + value + "\", read " + r.body();
      }
    } catch (IOException e) {
      return key + ": unreadable body " + r.body();
    }
    return null;
  }

  private static void awaitAll(List<CompletableFuture<?>> all) throws InterruptedException {
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .get(REQUEST_TIMEOUT.toSeconds() * 3, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("bulk requests did not finish: " + e, e);
    }
  }
}
