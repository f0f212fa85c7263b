package io.kvstore.net.codec;

/**
 * The wire protocol versions this release speaks and understands, and the handshake's negotiation
 * rule. See {@code messages.proto} and {@code docs/PROTOCOL.md} for the policy: a release speaks
 * {@link #CURRENT} and accepts packets whose version lies in [{@link #MIN_SUPPORTED}, {@link
 * #MAX_SUPPORTED}].
 */
public final class ProtocolVersion {
  /** The lowest version this release understands. */
  public static final int MIN_SUPPORTED = 1;

  /** The highest version this release understands. */
  public static final int MAX_SUPPORTED = 1;

  /** The version this release writes. */
  public static final int CURRENT = 1;

  private ProtocolVersion() {}

  /** Whether a packet written in {@code version} can be read by this release. */
  public static boolean isSupported(long version) {
    return version >= MIN_SUPPORTED && version <= MAX_SUPPORTED;
  }

  /**
   * The highest version in both ranges, or -1 if the peer's [{@code peerMin}, {@code peerMax}] does
   * not overlap ours (or is malformed).
   */
  public static int negotiate(long peerMin, long peerMax) {
    if (peerMin <= 0 || peerMin > peerMax) {
      return -1;
    }
    long high = Math.min(peerMax, MAX_SUPPORTED);
    long low = Math.max(peerMin, MIN_SUPPORTED);
    return high >= low ? (int) high : -1;
  }
}
