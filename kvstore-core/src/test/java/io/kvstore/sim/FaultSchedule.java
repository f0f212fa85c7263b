package io.kvstore.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A list of timed faults, generated from a seed, printable, and shrinkable (a failing run can be
 * retried with fewer faults). Each fault starts at {@code atNanos} and is undone {@code
 * durationNanos} later: a partition heals, a crashed node restarts as a fresh process, a slow node
 * speeds up, a lossy spell ends.
 *
 * <p>Undoing a partition heals every cut, so overlapping partitions end together; that only makes a
 * schedule gentler, never nondeterministic.
 */
public final class FaultSchedule {
  private final List<Fault> faults;

  /** One timed fault. */
  public sealed interface Fault {
    /** When it starts (virtual nanoseconds). */
    long atNanos();

    /** How long it lasts. */
    long durationNanos();

    /** Starts it. */
    void begin(Simulation sim);

    /** Undoes it. */
    void end(Simulation sim, LinkFaults base);
  }

  /** Hosts in different groups cannot talk (unlisted hosts form one more group). */
  public record Partition(long atNanos, long durationNanos, List<List<String>> groups)
      implements Fault {
    @Override
    public void begin(Simulation sim) {
      sim.network().partition(groups);
    }

    @Override
    public void end(Simulation sim, LinkFaults base) {
      sim.network().heal();
    }

    @Override
    public String toString() {
      return "partition " + groups;
    }
  }

  /** {@code from} cannot reach {@code to}; the other direction works. */
  public record OneWay(long atNanos, long durationNanos, String from, String to) implements Fault {
    @Override
    public void begin(Simulation sim) {
      sim.network().block(from, to);
    }

    @Override
    public void end(Simulation sim, LinkFaults base) {
      sim.network().heal();
    }

    @Override
    public String toString() {
      return "block " + from + " -> " + to;
    }
  }

  /** The node's process dies (memory lost) and restarts as a fresh process after the duration. */
  public record Crash(long atNanos, long durationNanos, String node) implements Fault {
    @Override
    public void begin(Simulation sim) {
      sim.crash(node);
    }

    @Override
    public void end(Simulation sim, LinkFaults base) {
      if (!sim.host(node).isUp()) {
        sim.start(node);
      }
    }

    @Override
    public String toString() {
      return "crash " + node + " (restart after)";
    }
  }

  /** Every event of the node runs {@code delayNanos} late. */
  public record Slow(long atNanos, long durationNanos, String node, long delayNanos)
      implements Fault {
    @Override
    public void begin(Simulation sim) {
      sim.setSlow(node, Duration.ofNanos(delayNanos));
    }

    @Override
    public void end(Simulation sim, LinkFaults base) {
      sim.setSlow(node, Duration.ZERO);
    }

    @Override
    public String toString() {
      return "slow " + node + " by " + delayNanos / 1_000_000 + " ms";
    }
  }

  /** Every link loses messages with the given probability. */
  public record Lossy(long atNanos, long durationNanos, double dropProbability) implements Fault {
    @Override
    public void begin(Simulation sim) {
      sim.network().setGlobalFaults(sim.network().globalFaults().withDrop(dropProbability));
    }

    @Override
    public void end(Simulation sim, LinkFaults base) {
      sim.network().setGlobalFaults(base);
    }

    @Override
    public String toString() {
      return "lose " + Math.round(dropProbability * 100) + "% of messages";
    }
  }

  /**
   * What a generated schedule may do.
   *
   * @param hosts hosts that may be partitioned or blocked
   * @param crashable hosts that may crash and restart
   * @param slowable hosts that may run slowly
   * @param span faults start within this much virtual time
   * @param count how many faults
   */
  public record Options(
      List<String> hosts, List<String> crashable, List<String> slowable, Duration span, int count) {
    /** Copies the lists. */
    public Options {
      hosts = List.copyOf(hosts);
      crashable = List.copyOf(crashable);
      slowable = List.copyOf(slowable);
    }
  }

  /** A schedule of the given faults (sorted by start time). */
  public FaultSchedule(List<Fault> faults) {
    List<Fault> sorted = new ArrayList<>(faults);
    sorted.sort((a, b) -> Long.compare(a.atNanos(), b.atNanos()));
    this.faults = List.copyOf(sorted);
  }

  /** No faults. */
  public static FaultSchedule none() {
    return new FaultSchedule(List.of());
  }

  /** A random schedule drawn from {@code random}. */
  public static FaultSchedule generate(SplittableRandom random, Options o) {
    List<Fault> out = new ArrayList<>();
    long span = Math.max(1, o.span().toNanos());
    for (int i = 0; i < o.count(); i++) {
      long at = random.nextLong(span);
      long duration = random.nextLong(50_000_000L, 2_000_000_000L);
      int kind = random.nextInt(5);
      if (kind == 0 && o.hosts().size() >= 2) {
        List<String> shuffled = new ArrayList<>(o.hosts());
        Collections.shuffle(shuffled, new java.util.Random(random.nextLong()));
        int groups = 2 + random.nextInt(Math.min(2, shuffled.size() - 1));
        List<List<String>> gs = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
          gs.add(new ArrayList<>());
        }
        for (int h = 0; h < shuffled.size(); h++) {
          gs.get(h < groups ? h : random.nextInt(groups)).add(shuffled.get(h));
        }
        out.add(
            new Partition(
                at, duration, gs.subList(1, gs.size()).stream().map(List::copyOf).toList()));
      } else if (kind == 1 && o.hosts().size() >= 2) {
        String from = o.hosts().get(random.nextInt(o.hosts().size()));
        String to = o.hosts().get(random.nextInt(o.hosts().size()));
        if (!from.equals(to)) {
          out.add(new OneWay(at, duration, from, to));
        }
      } else if (kind == 2 && !o.crashable().isEmpty()) {
        out.add(new Crash(at, duration, o.crashable().get(random.nextInt(o.crashable().size()))));
      } else if (kind == 3 && !o.slowable().isEmpty()) {
        String node = o.slowable().get(random.nextInt(o.slowable().size()));
        out.add(new Slow(at, duration, node, random.nextLong(1_000_000L, 300_000_000L)));
      } else {
        out.add(new Lossy(at, duration, 0.1 + 0.5 * random.nextDouble()));
      }
    }
    return new FaultSchedule(out);
  }

  /** The faults, by start time. */
  public List<Fault> faults() {
    return faults;
  }

  /** The number of faults. */
  public int size() {
    return faults.size();
  }

  /** Schedules every fault's start and end in {@code sim}. */
  public void applyTo(Simulation sim) {
    LinkFaults base = sim.network().globalFaults();
    for (Fault f : faults) {
      sim.at(f.atNanos(), "fault " + f, () -> f.begin(sim));
      sim.at(f.atNanos() + f.durationNanos(), "undo " + f, () -> f.end(sim, base));
    }
  }

  /** Smaller schedules to try when shrinking: each half, then each one fault left out. */
  public List<FaultSchedule> shrinkCandidates() {
    List<FaultSchedule> out = new ArrayList<>();
    int n = faults.size();
    if (n >= 2) {
      out.add(new FaultSchedule(faults.subList(0, n / 2)));
      out.add(new FaultSchedule(faults.subList(n / 2, n)));
    }
    for (int i = 0; i < n; i++) {
      List<Fault> fewer = new ArrayList<>(faults);
      fewer.remove(i);
      out.add(new FaultSchedule(fewer));
    }
    return out;
  }

  @Override
  public String toString() {
    if (faults.isEmpty()) {
      return "  (no faults)";
    }
    StringBuilder sb = new StringBuilder();
    for (Fault f : faults) {
      sb.append(
          String.format(
              "  at %8.3fs for %6.3fs: %s%n", f.atNanos() / 1e9, f.durationNanos() / 1e9, f));
    }
    return sb.toString().stripTrailing();
  }
}
