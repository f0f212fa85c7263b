package io.kvstore.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.kvstore.KvStore;
import io.kvstore.http.HttpAdapter;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code kvstore recover}: the confirmation, the request it sends and how it reports answers. */
class RecoverCommandTest {
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** A loopback endpoint that records each request body and answers with {@code status}. */
  private String stub(int status, String answer) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/cluster/recover", exchange -> {
      try (exchange) {
        bodies.add(exchange.getRequestMethod() + " "
            + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static CliRunner.Result run(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new RecoverCommand(new BufferedReader(new StringReader(stdin))));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new CliRunner.Result(code, out.toString(), err.toString());
  }

  @Test
  void withoutTheTypedConfirmationNothingIsSent() throws Exception {
    String url = stub(202, "{}");
    for (String answer : new String[] {"", "y\n", "yes\n", "Recover\n"}) {
      CliRunner.Result r = run(answer, "--url", url);
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("WARNING", "may be lost", "not confirmed");
    }
    assertThat(bodies).isEmpty();
  }

  @Test
  void theTypedConfirmationSendsTheMembersAndPrintsTheAnswer() throws Exception {
    String url = stub(202, "{\"epoch\":4,\"members\":[\"a#1\",\"b#2\"],\"dropped\":[\"c#3\"]}");
    CliRunner.Result r = run("recover\n", "--url", url + "/", "--members", "a,b");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"epoch\":4", "c#3");
    assertThat(bodies).hasSize(1);
    JsonNode sent = new ObjectMapper().readTree(bodies.get(0).substring("POST ".length()));
    assertThat(bodies.get(0)).startsWith("POST ");
    assertThat(sent.get("confirm").asBoolean()).isTrue();
    assertThat(sent.get("members")).hasSize(2);
    assertThat(sent.get("members").get(1).asText()).isEqualTo("b");
  }

  @Test
  void yesSkipsTheQuestionAndARefusalIsReportedWithItsStatus() throws Exception {
    KvStore store = KvStore.builder().build().start();
    try (HttpAdapter adapter = HttpAdapter.builder(store).host("127.0.0.1").port(0).build().start()) {
      CliRunner.Result r = run("", "--url", adapter.url(), "--yes");
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("HTTP 409", "recovery_not_needed");
    } finally {
      store.close();
    }
  }

  @Test
  void aBadUrlIsAUsageError() {
    CliRunner.Result r = CliRunner.run("recover", "--url", "ftp://x", "--yes");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--url");
    assertThat(CliRunner.run("recover", "--yes").exitCode()).isEqualTo(2);
    assertThat(CliRunner.run("recover", "--help").out()).contains("DANGEROUS", "--members", "--yes");
  }
}
