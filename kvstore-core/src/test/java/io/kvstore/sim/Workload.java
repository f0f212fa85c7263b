package io.kvstore.sim;

import io.kvstore.ContentionException;
import io.kvstore.QuorumUnavailableException;
import io.kvstore.Versioned;
import io.kvstore.sim.Operation.Kind;
import io.kvstore.spi.Cancellable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Simulated clients issuing a random mix of operations, each a closed loop (one operation in
 * flight) with a think time and a timeout, all recorded into a {@link History}.
 *
 * <p>Outcomes: a {@link QuorumUnavailableException} or {@link ContentionException} means "not
 * applied" (failed); a timeout or any other error means "unknown". After an unknown outcome a
 * client continues as a new process id (the old operation may still be in flight, and checkers in
 * the Knossos tradition want one operation per process at a time).
 *
 * <p>Values are unique ("c{client}-{n}"), which is what makes a history checkable. Compare-and-set
 * expects the last version the client saw for the key, or now and then a nearby wrong one.
 */
public final class Workload {
  private final Simulation sim;
  private final History history;
  private final WorkloadConfig config;
  private final List<Client> clients = new ArrayList<>();

  /** A workload recording into {@code history}. */
  public Workload(Simulation sim, History history, WorkloadConfig config) {
    this.sim = sim;
    this.history = history;
    this.config = config;
  }

  /**
   * Adds a client that runs on {@code loop} and sends each operation to {@code target.get()}
   * (resolved per operation, so it may pick a node; null = no node reachable, recorded as failed).
   */
  public void addClient(SimEventLoop loop, Supplier<SimKv> target) {
    clients.add(new Client(clients.size(), loop, target, sim.newRandom()));
  }

  /** Starts every client. */
  public void start() {
    for (Client c : clients) {
      c.scheduleNext();
    }
  }

  /** Whether every client has issued and finished all its operations. */
  public boolean done() {
    for (Client c : clients) {
      if (!c.finished()) {
        return false;
      }
    }
    return true;
  }

  /** The number of clients. */
  public int clientCount() {
    return clients.size();
  }

  private final class Client {
    final int id;
    final SimEventLoop loop;
    final Supplier<SimKv> target;
    final SplittableRandom random;
    final Map<String, Long> lastSeenVersion = new HashMap<>(); // lookups only
    int process;
    int issued;
    boolean inFlight;

    Client(int id, SimEventLoop loop, Supplier<SimKv> target, SplittableRandom random) {
      this.id = id;
      this.loop = loop;
      this.target = target;
      this.random = random;
      this.process = id;
    }

    boolean finished() {
      return issued >= config.opsPerClient() && !inFlight;
    }

    void scheduleNext() {
      if (issued >= config.opsPerClient() || !loop.isAlive()) {
        return;
      }
      long think = 1_000 + random.nextLong(Math.max(1, config.maxThink().toNanos()));
      loop.submit(think, this::invoke, "client " + id + " invoke");
    }

    private Kind pickKind() {
      int total =
          config.getWeight()
              + config.putWeight()
              + config.deleteWeight()
              + config.casWeight()
              + config.putIfAbsentWeight();
      int x = random.nextInt(total);
      if ((x -= config.getWeight()) < 0) {
        return Kind.GET;
      }
      if ((x -= config.putWeight()) < 0) {
        return Kind.PUT;
      }
      if ((x -= config.deleteWeight()) < 0) {
        return Kind.DELETE;
      }
      return x < config.casWeight() ? Kind.CAS : Kind.PUT_IF_ABSENT;
    }

    void invoke() {
      Kind kind = pickKind();
      String key = "k" + random.nextInt(config.keys());
      String value = kind.writesValue() ? "c" + id + "-" + issued : null;
      long expected = 0;
      if (kind == Kind.CAS) {
        long seen = lastSeenVersion.getOrDefault(key, 0L);
        expected = random.nextInt(4) == 0 ? random.nextLong(seen + 3) : seen;
      }
      issued++;
      inFlight = true;
      int handle = history.invoke(process, kind, key, value, expected);
      SimKv kv = target.get();
      CompletableFuture<?> f;
      try {
        f = kv == null ? null : call(kv, kind, key, value, expected);
      } catch (RuntimeException e) {
        f = null; // refused synchronously: never submitted
      }
      if (f == null) {
        history.fail(handle);
        done();
        return;
      }
      Cancellable[] timer = new Cancellable[1];
      timer[0] =
          loop.submit(
              config.timeout().toNanos(),
              () -> {
                if (!history.isDone(handle)) {
                  history.unknown(handle);
                  process += clients.size();
                  done();
                }
              },
              "client " + id + " timeout");
      f.whenComplete(
          (result, error) -> {
            if (history.isDone(handle)) {
              return; // timed out before
            }
            timer[0].cancel();
            record(handle, kind, key, result, error);
            done();
          });
    }

    private void done() {
      inFlight = false;
      scheduleNext();
    }

    private CompletableFuture<?> call(
        SimKv kv, Kind kind, String key, String value, long expected) {
      byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
      switch (kind) {
        case GET:
          return kv.get(key);
        case PUT:
          return kv.put(key, bytes);
        case DELETE:
          return kv.delete(key);
        case CAS:
          return kv.compareAndSet(key, expected, bytes);
        default:
          return kv.putIfAbsent(key, bytes);
      }
    }

    @SuppressWarnings("unchecked")
    private void record(int handle, Kind kind, String key, Object result, Throwable error) {
      Throwable cause =
          error instanceof CompletionException && error.getCause() != null
              ? error.getCause()
              : error;
      if (cause != null) {
        if (cause instanceof QuorumUnavailableException || cause instanceof ContentionException) {
          history.fail(handle);
        } else {
          history.unknown(handle);
          process += clients.size();
        }
        return;
      }
      switch (kind) {
        case GET:
          {
            Optional<Versioned<byte[]>> v = (Optional<Versioned<byte[]>>) result;
            if (v.isPresent()) {
              lastSeenVersion.put(key, v.get().version());
              history.ok(
                  handle,
                  true,
                  new String(v.get().value(), StandardCharsets.UTF_8),
                  v.get().version());
            } else {
              lastSeenVersion.put(key, 0L);
              history.ok(handle, true, null, 0);
            }
            break;
          }
        case PUT:
          {
            long version = (Long) result;
            lastSeenVersion.put(key, version);
            history.ok(handle, true, null, version);
            break;
          }
        default:
          history.ok(handle, (Boolean) result, null, Operation.UNKNOWN_VERSION);
      }
    }
  }
}
