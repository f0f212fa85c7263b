package io.kvstore.internal.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.NodeId;
import io.kvstore.spi.message.ClientReply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The dedupe window of a coordinator against a plain ordered map with the same rules. */
class AnsweredWindowTest {
  private static final NodeId SELF = new NodeId("a", 1);

  private record Kept(ClientReply reply, long at) {}

  private static ClientReply reply(long opId, SplittableRandom r) {
    ClientReply.Status s = ClientReply.Status.values()[r.nextInt(4)];
    return new ClientReply(opId, SELF, s, r.nextBoolean(), r.nextLong(1, 1_000),
        r.nextBoolean() ? null : new byte[] {(byte) opId}, r.nextBoolean() ? "" : "why " + opId);
  }

  @Test
  void keepsTheNewestAnswersWithinCapacityAndWindowLikeAnOrderedMap() {
    for (int seed = 0; seed < 200; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      int capacity = 1 + r.nextInt(40);
      long window = 1 + r.nextInt(500);
      AnsweredWindow w = new AnsweredWindow(capacity, window);
      LinkedHashMap<Long, Kept> model = new LinkedHashMap<>();
      List<Long> used = new ArrayList<>();
      long nextId = r.nextInt(100);
      long now = 0;
      for (int step = 0; step < 2_000; step++) {
        now += r.nextInt(20);
        int what = r.nextInt(10);
        if (what < 5) {
          // A coordinator answers each operation once. Ids spaced by 1,024 share low bits, so
          // probe runs collide and wrap around the index.
          long id = (nextId++ - 64) * 1_024;
          ClientReply rep = reply(id, r);
          w.put(id, rep, now);
          model.remove(id);
          model.put(id, new Kept(rep, now));
          while (model.size() > capacity) {
            Iterator<Long> it = model.keySet().iterator();
            it.next();
            it.remove();
          }
          used.add(id);
        } else if (what < 7) {
          w.expire(now);
          for (Iterator<Kept> it = model.values().iterator(); it.hasNext(); ) {
            if (now - it.next().at() >= window) {
              it.remove();
            } else {
              break;
            }
          }
        } else if (!used.isEmpty()) {
          long id = used.get(r.nextInt(used.size()));
          ClientReply got = w.get(id, SELF);
          Kept want = model.get(id);
          if (want == null) {
            assertThat(got).as("seed %d step %d id %d", seed, step, id).isNull();
          } else {
            assertThat(got).as("seed %d step %d id %d", seed, step, id).isNotNull();
            assertThat(got.status()).isEqualTo(want.reply().status());
            assertThat(got.applied()).isEqualTo(want.reply().applied());
            assertThat(got.version()).isEqualTo(want.reply().version());
            assertThat(got.value()).isEqualTo(want.reply().value());
            assertThat(got.reason()).isEqualTo(want.reply().reason());
            assertThat(got.opId()).isEqualTo(id);
          }
        }
      }
      for (Map.Entry<Long, Kept> e : model.entrySet()) {
        assertThat(w.get(e.getKey(), SELF)).as("seed %d id %d at the end", seed, e.getKey()).isNotNull();
      }
    }
  }
}
