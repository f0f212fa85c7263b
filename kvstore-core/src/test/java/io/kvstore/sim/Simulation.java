package io.kvstore.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A deterministic simulation of a cluster: N hosts running the production protocol classes on one
 * thread, in virtual time, over a hostile {@link SimNetwork}. One seed drives every random choice
 * (network faults, delays, boot ids, node randomness, workload), so the same seed gives the same
 * run, bit for bit; {@link #traceHash()} proves it.
 *
 * <p>The root random source is split in a fixed order: the network first, then the fault schedule
 * and the workload ask for their own streams with {@link #newRandom()}, then each boot takes one.
 * Keep that order stable when changing a test, or seeds will replay differently.
 *
 * <p>Single-threaded: create, drive and inspect it from one thread.
 */
public final class Simulation {
  private final long seed;
  private final SplittableRandom root;
  private final SimScheduler scheduler = new SimScheduler();
  private final SimClock clock = new SimClock(scheduler);
  private final SimNetwork network;
  private final Map<String, SimHost> hosts = new LinkedHashMap<>();

  /** A simulation driven by {@code seed}. */
  public Simulation(long seed) {
    this.seed = seed;
    this.root = new SplittableRandom(seed);
    this.network = new SimNetwork(scheduler, root.split());
  }

  /** The seed. */
  public long seed() {
    return seed;
  }

  /** A new random stream split from the root source (deterministic in call order). */
  public SplittableRandom newRandom() {
    return root.split();
  }

  /** The scheduler. */
  public SimScheduler scheduler() {
    return scheduler;
  }

  /** Virtual time. */
  public SimClock clock() {
    return clock;
  }

  /** Virtual time now, in nanoseconds since the start. */
  public long nowNanos() {
    return scheduler.nowNanos();
  }

  /** The network. */
  public SimNetwork network() {
    return network;
  }

  /** Adds a host that runs {@code factory}'s node; it boots with {@link #start}. */
  public SimHost addHost(String name, NodeFactory factory) {
    SimHost h = new SimHost(name, network.addHost(name), factory);
    hosts.put(name, h);
    return h;
  }

  /** The host called {@code name}. */
  public SimHost host(String name) {
    SimHost h = hosts.get(name);
    if (h == null) {
      throw new IllegalArgumentException("unknown host " + name);
    }
    return h;
  }

  /** Every host, in the order added. */
  public List<SimHost> hosts() {
    return new ArrayList<>(hosts.values());
  }

  /** Boots {@code name} (a first start or a restart after a crash) as a fresh process. */
  public void start(String name) {
    SimHost h = host(name);
    if (h.isUp()) {
      throw new IllegalStateException(name + " is already up");
    }
    long bootId = root.nextLong();
    SimEventLoop loop = new SimEventLoop(scheduler, name + "#" + Long.toHexString(bootId));
    loop.setSlowDelayNanos(h.slowDelayNanos());
    NodeContext ctx =
        new NodeContext(
            name,
            bootId,
            h.endpoint(),
            loop,
            clock,
            network.newTransport(name, loop),
            root.split(),
            this);
    scheduler.note("boot " + loop.name());
    Object node = scheduler.runAs(loop, () -> h.factory().boot(ctx));
    h.booted(loop, bootId, node);
  }

  /** Boots every host that is down, in the order added. */
  public void startAll() {
    for (SimHost h : hosts()) {
      if (!h.isUp()) {
        start(h.name());
      }
    }
  }

  /** Kills {@code name}'s process: its pending events, in-memory state and connections are gone. */
  public void crash(String name) {
    SimHost h = host(name);
    if (!h.isUp()) {
      return;
    }
    scheduler.note("crash " + h.eventLoop().name());
    h.crashed();
    network.unbind(name);
  }

  /** Restarts a crashed host as a fresh process with a new boot id (crashes it first if up). */
  public void restart(String name) {
    crash(name);
    start(name);
  }

  /** Makes every event of {@code name} run {@code delay} late from now on (zero = normal speed). */
  public void setSlow(String name, Duration delay) {
    scheduler.note("slow " + name + " " + delay.toNanos());
    host(name).setSlowDelayNanos(delay.toNanos());
  }

  /** Runs {@code task} at virtual time {@code atNanos} (a fault, a check), outside any node. */
  public void at(long atNanos, String label, Runnable task) {
    scheduler.schedule(atNanos, null, label, task);
  }

  /** Runs events for {@code duration} of virtual time. */
  public void runFor(Duration duration) {
    long deadline = Math.addExact(nowNanos(), duration.toNanos());
    while (scheduler.runNext(deadline)) {
      // keep going
    }
  }

  /**
   * Runs events until {@code done} holds (checked after every event) or {@code limit} of virtual
   * time passed; returns whether {@code done} held.
   */
  public boolean runUntil(BooleanSupplier done, Duration limit) {
    long deadline = Math.addExact(nowNanos(), limit.toNanos());
    while (!done.getAsBoolean()) {
      if (!scheduler.runNext(deadline)) {
        return done.getAsBoolean();
      }
    }
    return true;
  }

  /** The hash of the event trace so far. */
  public long traceHash() {
    return scheduler.traceHash();
  }
}
