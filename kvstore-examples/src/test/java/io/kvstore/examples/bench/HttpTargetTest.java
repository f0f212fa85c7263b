package io.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP target against a small in-test server that speaks the adapter's routes. */
class HttpTargetTest {
  private HttpServer server;
  private ExecutorService executor;
  private final Map<String, Long> versions = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private HttpTarget target;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 2048);
    executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext("/kv/", this::handle);
    server.start();
  }

  @AfterEach
  void stop() {
    if (target != null) {
      target.close();
    }
    server.stop(0);
    executor.shutdownNow();
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    String key = ex.getRequestURI().getPath().substring("/kv/".length());
    String query = ex.getRequestURI().getQuery();
    requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
    int status;
    String reply = "";
    switch (key) {
      case "unavailable":
        status = 503;
        break;
      case "unknown":
        status = 504;
        break;
      case "bad":
        status = 400;
        break;
      case "boom":
        status = 500;
        break;
      default:
        if (ex.getRequestMethod().equals("GET")) {
          Long v = versions.get(key);
          status = v == null ? 404 : 200;
          reply =
              v == null
                  ? ""
                  : "{\"key\":\"" + key + "\",\"value\":{\"version\":99},\"version\":" + v + "}";
        } else {
          assertThat(new String(body, StandardCharsets.UTF_8)).startsWith("{\"value\":\"xxxx");
          long expected =
              query != null && query.startsWith("version=")
                  ? Long.parseLong(query.substring(8))
                  : -1;
          synchronized (versions) {
            long current = versions.getOrDefault(key, 0L);
            if (expected >= 0 && expected != current) {
              status = 409;
            } else {
              versions.put(key, current + 1);
              status = 200;
              reply = "{\"key\":\"" + key + "\",\"version\":" + (current + 1) + "}";
            }
          }
        }
    }
    byte[] out = reply.getBytes(StandardCharsets.UTF_8);
    // Keys starting with "chunked" are answered with a chunked body (length 0 asks for it).
    boolean chunked = key.startsWith("chunked") && out.length > 0;
    ex.sendResponseHeaders(status, chunked ? 0 : out.length == 0 ? -1 : out.length);
    if (out.length > 0) {
      ex.getResponseBody().write(out);
    }
    ex.close();
  }

  private Result run(OpType type, String key) throws Exception {
    return target.execute(new Op(type, key, 0)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void mapsStatusesToResults() throws Exception {
    target = new HttpTarget(List.of(url()), 10, 1, TimeUnit.SECONDS.toNanos(10));
    target.open(1);
    assertThat(run(OpType.GET, "a")).isEqualTo(Result.OK); // 404: a read of an absent key
    assertThat(run(OpType.PUT_IF_ABSENT, "a")).isEqualTo(Result.OK);
    assertThat(run(OpType.PUT_IF_ABSENT, "a")).isEqualTo(Result.CONFLICT);
    assertThat(run(OpType.PUT, "a")).isEqualTo(Result.OK);
    assertThat(run(OpType.GET, "a")).isEqualTo(Result.OK);
    assertThat(run(OpType.PUT, "unavailable")).isEqualTo(Result.UNAVAILABLE);
    assertThat(run(OpType.PUT, "unknown")).isEqualTo(Result.UNKNOWN_OUTCOME);
    assertThat(run(OpType.GET, "bad")).isEqualTo(Result.REFUSED);
    assertThat(run(OpType.GET, "boom")).isEqualTo(Result.ERROR);
  }

  @Test
  void casReadsTheVersionThenWritesConditionally() throws Exception {
    target = new HttpTarget(List.of(url()), 10, 1, TimeUnit.SECONDS.toNanos(10));
    target.open(1);
    assertThat(run(OpType.CAS, "c")).isEqualTo(Result.OK); // absent: version=0
    assertThat(run(OpType.CAS, "c")).isEqualTo(Result.OK); // version 1 read, then written
    assertThat(requests)
        .containsExactly("GET /kv/c", "PUT /kv/c?version=0", "GET /kv/c", "PUT /kv/c?version=1");
    assertThat(versions).containsEntry("c", 2L);
  }

  @Test
  void casReadsTheVersionFromAChunkedBody() throws Exception {
    target = new HttpTarget(List.of(url()), 10, 1, TimeUnit.SECONDS.toNanos(10));
    target.open(1);
    assertThat(run(OpType.PUT, "chunked-k")).isEqualTo(Result.OK);
    assertThat(run(OpType.PUT, "chunked-k")).isEqualTo(Result.OK);
    assertThat(run(OpType.CAS, "chunked-k")).isEqualTo(Result.OK);
    assertThat(requests).endsWith("GET /kv/chunked-k", "PUT /kv/chunked-k?version=2");
    assertThat(versions).containsEntry("chunked-k", 3L);
  }

  @Test
  void aRefusedConnectionIsCountedAsRefused() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    target =
        new HttpTarget(
            List.of(URI.create("http://127.0.0.1:" + closedPort)),
            10,
            1,
            TimeUnit.SECONDS.toNanos(10));
    assertThat(run(OpType.GET, "a")).isEqualTo(Result.REFUSED);
  }

  @Test
  void aThousandClientsShareOneSmallEventLoopGroup() throws Exception {
    int clients = 1000;
    target = new HttpTarget(List.of(url()), 10, 2, TimeUnit.SECONDS.toNanos(10));
    target.open(clients);
    List<CompletableFuture<Result>> all = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      all.add(target.execute(new Op(OpType.PUT, "k" + i, i)));
    }
    for (CompletableFuture<Result> f : all) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(Result.OK);
    }
    assertThat(versions).hasSize(clients);
  }

  @Test
  void pipelinesSeveralRequestsOnOneConnection() throws Exception {
    target = new HttpTarget(List.of(url()), 10, 1, TimeUnit.SECONDS.toNanos(10));
    target.open(1);
    List<CompletableFuture<Result>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(target.execute(new Op(i % 2 == 0 ? OpType.PUT : OpType.GET, "p" + (i % 5), 0)));
    }
    for (CompletableFuture<Result> f : all) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(Result.OK);
    }
    assertThat(requests).hasSize(50);
  }

  @Test
  void parsesUrlLists() {
    assertThat(HttpTarget.parseUrls("127.0.0.1:8000, http://h:8001/"))
        .containsExactly(URI.create("http://127.0.0.1:8000"), URI.create("http://h:8001/"));
  }
}
