package io.kvstore.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.Member;
import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import io.kvstore.NodeId;
import io.kvstore.internal.runtime.ThreadEventLoop;
import io.kvstore.spi.Clock;
import io.kvstore.spi.Endpoint;
import io.kvstore.spi.EventLoop;
import io.kvstore.spi.message.Ack;
import io.kvstore.spi.message.PushPull;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The driver on real event loops with an in-memory transport: threads, listeners, leave. */
class MembershipServiceTest {
  private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(20);

  private final InMemoryTransport.Network network = new InMemoryTransport.Network();
  private final List<MembershipService> services = new ArrayList<>();
  private final List<EventLoop> loops = new ArrayList<>();
  private final List<InMemoryTransport> transports = new ArrayList<>();
  private final ExecutorService listenerThread =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "test-listeners"));
  private final List<String> listenerThreads = new CopyOnWriteArrayList<>();
  private final List<MembershipEvent> seenByFirst = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    for (MembershipService s : services) {
      s.close();
    }
    for (EventLoop l : loops) {
      l.shutdown(TimeUnit.SECONDS.toNanos(2));
    }
    listenerThread.shutdownNow();
  }

  private MembershipService service(int i, SeedResolver resolver) {
    EventLoop loop = new ThreadEventLoop("membership-test-" + i);
    loops.add(loop);
    InMemoryTransport t = new InMemoryTransport(network);
    transports.add(t);
    MembershipService s = new MembershipService(MembershipConfig.local(),
        new NodeId("node-" + i, i), Map.of("http", "http://127.0.0.1:" + (8000 + i)), t, loop,
        Clock.system(), new SplittableRandom(i), listenerThread, resolver);
    services.add(s);
    s.addListener(e -> listenerThreads.add(Thread.currentThread().getName()));
    if (i == 0) {
      s.addListener(seenByFirst::add);
    }
    return s;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10); // polling with a bounded deadline
    }
  }

  private static long alive(MembershipService s) {
    return s.members().stream().filter(m -> m.status() == MemberStatus.ALIVE).count();
  }

  private void startThree() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      service(i, SeedResolver.literal());
    }
    services.get(0).start(new Endpoint("127.0.0.1", 0), List.of()).join();
    String seed = services.get(0).localEndpoint().toString();
    services.get(1).start(new Endpoint("127.0.0.1", 0), List.of(seed)).join();
    services.get(2).start(new Endpoint("127.0.0.1", 0), List.of(seed)).join();
    await("three alive members everywhere", () -> services.stream().allMatch(s -> alive(s) == 3));
  }

  @Test
  void membersJoinAndListenersRunOnTheSuppliedExecutor() throws Exception {
    startThree();
    await("join events", () -> seenByFirst.stream()
        .filter(e -> e.type() == MembershipEvent.Type.JOINED).count() == 2);
    assertThat(listenerThreads).isNotEmpty().allMatch("test-listeners"::equals);
    List<Member> snapshot = services.get(0).members();
    assertThat(snapshot).extracting(m -> m.id().name())
        .containsExactly("node-0", "node-1", "node-2");
    assertThat(snapshot.get(1).metadata()).containsEntry("http", "http://127.0.0.1:8001");
    assertThat(services.get(0).metrics().get(MembershipMetrics.Counter.PACKETS_IN)).isPositive();
  }

  @Test
  void leaveAnnouncesLeftAndOthersSeeIt() throws Exception {
    startThree();
    assertThat(services.get(2).leave(TimeUnit.SECONDS.toNanos(5))).isTrue();
    boolean announced = transports.get(2).sent.stream().anyMatch(s ->
        s.message() instanceof Ack a && a.gossip().stream().anyMatch(
            u -> u.id().name().equals("node-2") && u.status() == MemberStatus.LEFT));
    assertThat(announced).isTrue();
    services.get(2).close();
    await("left seen by node-0", () -> seenByFirst.stream().anyMatch(e ->
        e.type() == MembershipEvent.Type.LEFT && e.member().id().name().equals("node-2")));
    assertThat(services.get(0).members().get(2).status()).isEqualTo(MemberStatus.LEFT);
  }

  @Test
  void metadataUpdatesReachOthers() throws Exception {
    startThree();
    services.get(1).updateMetadata(Map.of("http", "http://127.0.0.1:9001"));
    await("updated metadata at node-0", () -> services.get(0).members().get(1).metadata()
        .getOrDefault("http", "").equals("http://127.0.0.1:9001"));
    await("update event", () -> seenByFirst.stream()
        .anyMatch(e -> e.type() == MembershipEvent.Type.UPDATED));
  }

  @Test
  void crashedMemberIsDeclaredDead() throws Exception {
    startThree();
    transports.get(1).close(); // no leave: as if the process died
    services.get(1).close();
    await("node-1 failed", () -> seenByFirst.stream().anyMatch(e ->
        e.type() == MembershipEvent.Type.FAILED && e.member().id().name().equals("node-1")));
  }

  @Test
  void seedNamesAreExpandedToEveryAddress() throws Exception {
    MembershipService a = service(0, SeedResolver.literal());
    a.start(new Endpoint("127.0.0.1", 0), List.of()).join();
    Endpoint ghost = new Endpoint("127.0.0.9", 1);
    SeedResolver dns = name -> name.equals("seeds.test:7946")
        ? List.of(a.localEndpoint(), ghost) : List.of();
    MembershipService b = service(1, dns);
    b.start(new Endpoint("127.0.0.1", 0), List.of("seeds.test:7946")).join();
    await("joined", () -> alive(b) == 2);
    List<Endpoint> joins = new ArrayList<>();
    for (InMemoryTransport.Sent s : transports.get(1).sent) {
      if (s.message() instanceof PushPull pp && pp.join()) {
        joins.add(s.to());
      }
    }
    assertThat(joins).contains(a.localEndpoint(), ghost);
  }

  @Test
  void ownAddressAmongSeedsIsIgnored() throws Exception {
    MembershipService a = service(0, SeedResolver.literal());
    a.start(new Endpoint("127.0.0.1", 20000), List.of("127.0.0.1:20000")).join();
    // start() returns after the core joined and flushed: any join to itself would be recorded
    assertThat(transports.get(0).sent).noneMatch(s -> s.to().equals(a.localEndpoint()));
    assertThat(a.members()).hasSize(1);
  }
}
