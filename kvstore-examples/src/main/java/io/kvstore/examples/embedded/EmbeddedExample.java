package io.kvstore.examples.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.kvstore.KvStore;
import io.kvstore.TypedKvStore;
import io.kvstore.Versioned;
import java.time.Duration;
import java.util.Optional;

/**
 * The README's embedding example as a runnable program: build a store, start it, write, read,
 * compare-and-set, take a lease with {@code putIfAbsent} and a TTL, delete, use the typed string
 * view, close. {@code EmbeddedExampleTest} runs it and checks what it prints.
 */
public final class EmbeddedExample {
  private EmbeddedExample() {}

  /** Runs the example, printing each result on standard output. */
  public static void main(String[] args) {
    // --8<-- [start:embedded]
    try (KvStore store = KvStore.builder().nodeName("app-1").build()) {
      store.start();

      // Every write returns the key's new version.
      long v1 = store.put("greeting", "hello".getBytes(UTF_8));
      Versioned<byte[]> read = store.get("greeting").orElseThrow();
      System.out.println("get greeting: " + new String(read.value(), UTF_8));

      // Compare-and-set succeeds only against the current version.
      boolean swapped = store.compareAndSet("greeting", v1, "hi".getBytes(UTF_8));
      boolean stale = store.compareAndSet("greeting", v1, "hey".getBytes(UTF_8));
      System.out.println("cas with current version: " + swapped + ", with stale version: " + stale);

      // A lease: only one caller creates the key; it expires by itself after the TTL.
      Duration ttl = Duration.ofSeconds(30);
      boolean leased = store.putIfAbsent("lock/report", "app-1".getBytes(UTF_8), ttl);
      boolean leasedAgain = store.putIfAbsent("lock/report", "app-2".getBytes(UTF_8), ttl);
      System.out.println("lease taken: " + leased + ", taken again: " + leasedAgain);

      // Delete returns whether the key was there.
      System.out.println("deleted greeting: " + store.delete("greeting"));
      System.out.println("greeting present: " + store.get("greeting").isPresent());

      // A typed view converts values with a codec; strings() is UTF-8.
      TypedKvStore<String> strings = store.strings();
      strings.put("user/42/name", "Ada");
      Optional<Versioned<String>> name = strings.get("user/42/name");
      System.out.println("user/42/name: " + name.map(Versioned::value).orElse("(absent)"));
    } // close(): leaves the cluster, finishes in-flight operations, stops the threads
    // --8<-- [end:embedded]
  }
}
