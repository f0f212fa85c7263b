package io.kvstore.sim.toy;

import io.kvstore.sim.FaultSchedule;
import io.kvstore.sim.History;
import io.kvstore.sim.HistoryJson;
import io.kvstore.sim.LinkFaults;
import io.kvstore.sim.SimHost;
import io.kvstore.sim.SimPlan;
import io.kvstore.sim.Simulation;
import io.kvstore.sim.Workload;
import io.kvstore.sim.WorkloadConfig;
import io.kvstore.sim.checker.CheckResult;
import io.kvstore.sim.checker.LinearizabilityChecker;
import io.kvstore.spi.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Sets up a toy register cluster in a simulation: servers, clients, a lossy network, a fault
 * schedule and a workload; runs it and checks the history. A worked example of a simulation test.
 */
public final class ToyCluster {
  /** Which toy to run. */
  public enum Kind {
    /** {@link SingleServerRegister}: correct. */
    SINGLE_SERVER,
    /** {@link AsyncReplicatedRegister}: broken on purpose. */
    ASYNC_REPLICATED
  }

  /** The client-side request timeout. */
  public static final Duration CLIENT_TIMEOUT = Duration.ofMillis(300);

  private final Simulation sim;
  private final History history;
  private final Workload workload;
  private final List<String> servers = new ArrayList<>();
  private final List<String> clients = new ArrayList<>();

  /**
   * Builds (but does not run) a cluster of {@code serverCount} servers and {@code clientCount}
   * clients.
   */
  public ToyCluster(long seed, Kind kind, int serverCount, int clientCount, WorkloadConfig config) {
    this.sim = new Simulation(seed);
    sim.network().setGlobalFaults(LinkFaults.lossy());
    List<Endpoint> serverEndpoints = new ArrayList<>();
    for (int i = 1; i <= serverCount; i++) {
      servers.add("n" + i);
    }
    for (String s : servers) {
      SimHost h =
          sim.addHost(
              s,
              ctx ->
                  kind == Kind.SINGLE_SERVER
                      ? SingleServerRegister.boot(ctx)
                      : AsyncReplicatedRegister.boot(ctx, serverEndpoints));
      serverEndpoints.add(h.endpoint());
    }
    for (int i = 1; i <= clientCount; i++) {
      String name = "c" + i;
      clients.add(name);
      sim.addHost(name, ctx -> ToyClient.boot(ctx, serverEndpoints, CLIENT_TIMEOUT));
    }
    sim.startAll();
    this.history = new History(sim);
    this.workload = new Workload(sim, history, config);
    for (String c : clients) {
      SimHost h = sim.host(c);
      workload.addClient(h.eventLoop(), () -> h.node(ToyClient.class));
    }
  }

  /** The plan of a seed: a fault schedule drawn from the seed and the default workload size. */
  public static SimPlan plan(long seed, Kind kind, int serverCount, int clientCount, int ops) {
    List<String> hosts = new ArrayList<>();
    List<String> serverNames = new ArrayList<>();
    for (int i = 1; i <= serverCount; i++) {
      serverNames.add("n" + i);
    }
    hosts.addAll(serverNames);
    for (int i = 1; i <= clientCount; i++) {
      hosts.add("c" + i);
    }
    // A single in-memory server cannot survive a crash; the replicated toy may crash any replica.
    List<String> crashable = kind == Kind.SINGLE_SERVER ? List.of() : serverNames;
    FaultSchedule.Options options =
        new FaultSchedule.Options(hosts, crashable, serverNames, Duration.ofSeconds(5), 6);
    // Its own stream, independent of the simulation's, so that shrinking the schedule keeps the
    // rest of the run's random choices.
    SplittableRandom r = new SplittableRandom(seed ^ 0x5ca1ab1e_f00dL);
    return new SimPlan(FaultSchedule.generate(r, options), ops);
  }

  /** The simulation. */
  public Simulation simulation() {
    return sim;
  }

  /** The recorded history. */
  public History history() {
    return history;
  }

  /** Applies {@code faults}, runs the workload to its end (bounded) and lets stragglers settle. */
  public void run(FaultSchedule faults) {
    faults.applyTo(sim);
    workload.start();
    sim.runUntil(workload::done, Duration.ofMinutes(10));
  }

  /**
   * Runs a whole scenario for {@link io.kvstore.sim.SeedRunner}: returns null if the history is
   * linearizable, else the checker's explanation. Writes the history to {@code
   * target/sim-histories/{name}-{seed}.jsonl}.
   */
  public static String scenario(
      String name, long seed, SimPlan plan, Kind kind, int servers, int clients) {
    ToyCluster c =
        new ToyCluster(seed, kind, servers, clients, WorkloadConfig.mixed(3, plan.opsPerClient()));
    c.run(plan.faults());
    if (!c.workload.done()) {
      return "workload did not finish within the virtual time limit";
    }
    var ops = c.history.operations();
    HistoryJson.write(ops, Path.of("target", "sim-histories", name + "-" + seed + ".jsonl"));
    CheckResult result = new LinearizabilityChecker().check(ops);
    return result.isLinearizable() ? null : result.describe();
  }
}
