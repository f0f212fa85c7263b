package io.kvstore.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore recover}: asks a surviving node to force a configuration of the survivors after
 * the configuration's voters lost their majority ({@code POST /cluster/recover}). Prints what it
 * risks and waits for a typed confirmation unless {@code --yes}.
 */
@Command(
    name = "recover",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "DANGEROUS: forces a cluster whose voting members lost their majority for good back into"
          + " service with the surviving members alone.",
      "Acknowledged writes held only by the dropped members may be lost. Use it only when those"
          + " members are gone for good; a dropped member that is still running must be stopped"
          + " and wiped before it comes back.",
      "",
    },
    footer = {
      "",
      "Exit status: 0 once the forced configuration is recorded, 1 if it was not confirmed, the"
          + " node refused it (for example HTTP 409 recovery_not_needed while a majority of the"
          + " voters is alive) or could not be reached, 2 on invalid flags.",
    })
final class RecoverCommand implements Callable<Integer> {
  /** What the operator types to go ahead. */
  static final String CONFIRMATION = "recover";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Spec private CommandSpec spec;

  @Option(
      names = "--url",
      required = true,
      paramLabel = "URL",
      description = "HTTP address of a surviving node, for example http://127.0.0.1:8000.")
  private String url;

  @Option(
      names = "--members",
      split = ",",
      paramLabel = "NAME",
      description =
          "Members to keep, comma-separated, each alive (default: the node asked and every"
              + " member it sees alive).")
  private List<String> members = new ArrayList<>();

  @Option(names = "--yes", description = "Do not ask for a typed confirmation.")
  private boolean yes;

  private final BufferedReader stdin;

  RecoverCommand() {
    this(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
  }

  RecoverCommand(BufferedReader stdin) {
    this.stdin = Objects.requireNonNull(stdin, "stdin");
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    URI target = target();
    err.println("WARNING: forced recovery of the cluster behind " + url);
    err.println("WARNING: members not kept are dropped from the configuration for good.");
    err.println("WARNING: acknowledged writes held only by them may be lost.");
    err.println("WARNING: a dropped member that is still running must be stopped and wiped.");
    err.println(
        "WARNING: members kept: "
            + (members.isEmpty() ? "this node and every member it sees alive" : members));
    if (!yes) {
      err.print("Type '" + CONFIRMATION + "' to go ahead: ");
      err.flush();
      String answer;
      try {
        answer = stdin.readLine();
      } catch (IOException e) {
        answer = null;
      }
      if (answer == null || !answer.trim().equals(CONFIRMATION)) {
        err.println("kvstore recover: not confirmed; nothing was done");
        return 1;
      }
    }
    HttpResponse<String> response;
    try {
      response = post(target, body());
    } catch (IOException e) {
      err.println("kvstore recover: cannot reach " + url + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("kvstore recover: interrupted; the recovery may or may not have been recorded");
      return 1;
    }
    if (response.statusCode() == 202) {
      out.println(response.body());
      err.println("kvstore recover: the forced configuration is recorded; the cluster completes"
          + " the change once the survivors are caught up (GET /cluster shows progress)");
      return 0;
    }
    err.println("kvstore recover: HTTP " + response.statusCode() + ": " + response.body());
    return 1;
  }

  private URI target() {
    URI base;
    try {
      base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--url: not a URL: " + url);
    }
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())
        || base.getHost() == null) {
      throw new ParameterException(
          spec.commandLine(), "--url: expected http://HOST:PORT, got " + url);
    }
    for (String m : members) {
      if (m.isBlank()) {
        throw new ParameterException(spec.commandLine(), "--members: empty member name");
      }
    }
    return URI.create(base + "/cluster/recover");
  }

  private String body() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode body = mapper.createObjectNode();
    body.put("confirm", true);
    if (!members.isEmpty()) {
      ArrayNode list = body.putArray("members");
      members.forEach(m -> list.add(m.trim()));
    }
    return body.toString();
  }

  private static HttpResponse<String> post(URI target, String body)
      throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpRequest request =
        HttpRequest.newBuilder(target)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
