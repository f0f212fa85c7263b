package io.kvstore.examples.bench;

/**
 * Stands in for {@code java -jar kvstore-node.jar node ...} in {@link NodeProcessesTest}: prints
 * its arguments and {@code ready}, then waits (at most a minute) to be stopped.
 */
public final class FakeNodeMain {
  private FakeNodeMain() {}

  /** Prints the arguments and "ready", then idles. */
  public static void main(String[] args) throws InterruptedException {
    System.out.println("args: " + String.join(" ", args));
    System.out.println("fake node ready");
    System.out.flush();
    Thread.sleep(60_000);
  }
}
