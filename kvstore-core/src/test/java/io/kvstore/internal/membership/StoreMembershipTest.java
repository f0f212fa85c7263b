package io.kvstore.internal.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.KvStore;
import io.kvstore.MemberStatus;
import io.kvstore.MembershipEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Membership plugged into the store through the public builder. */
class StoreMembershipTest {

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void twoStoresFormAClusterAndCloseLeavesGracefully() throws Exception {
    InMemoryTransport.Network network = new InMemoryTransport.Network();
    InMemoryTransport ta = new InMemoryTransport(network);
    InMemoryTransport tb = new InMemoryTransport(network);
    List<MembershipEvent> seenByA = new CopyOnWriteArrayList<>();
    KvStore a = KvStore.builder().nodeName("a").transport(ta).membershipProfile("local")
        .metadata(Map.of("http", "http://127.0.0.1:8000")).build();
    KvStore b = null;
    try {
      a.addMembershipListener(seenByA::add);
      a.start();
      b = KvStore.builder().nodeName("b").transport(tb).membershipProfile("local")
          .seeds(ta.localEndpoint().toString()).build();
      b.start();
      KvStore bb = b;
      await("two members", () -> a.members().stream()
          .filter(m -> m.status() == MemberStatus.ALIVE).count() == 2
          && bb.members().size() == 2);
      assertThat(b.members()).filteredOn(m -> m.id().name().equals("a"))
          .singleElement().satisfies(m -> {
            assertThat(m.metadata()).containsEntry("http", "http://127.0.0.1:8000");
            assertThat(m.address()).isEqualTo(ta.localEndpoint().toString());
          });
      b.close();
      await("b left", () -> seenByA.stream().anyMatch(
          e -> e.type() == MembershipEvent.Type.LEFT && e.member().id().name().equals("b")));
      assertThat(tb.closed).isTrue();
    } finally {
      if (b != null) {
        b.close();
      }
      a.close();
    }
  }

  @Test
  void withoutTransportTheStoreStaysSingleNode() {
    try (KvStore s = KvStore.builder().nodeName("solo").build()) {
      s.start();
      assertThat(s.members()).singleElement()
          .satisfies(m -> assertThat(m.status()).isEqualTo(MemberStatus.ALIVE));
    }
  }

  @Test
  void builderRejectsSeedsWithoutTransportAndUnknownProfiles() {
    assertThatThrownBy(() -> KvStore.builder().seeds("127.0.0.1:7000").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transport");
    InMemoryTransport t = new InMemoryTransport(new InMemoryTransport.Network());
    assertThatThrownBy(() -> KvStore.builder().transport(t).membershipProfile("wan").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wan");
    assertThatThrownBy(() -> KvStore.builder().seeds("no-port"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
