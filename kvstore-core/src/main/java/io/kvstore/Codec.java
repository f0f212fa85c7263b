package io.kvstore;

import java.nio.charset.StandardCharsets;

/**
 * Converts values of type {@code T} to and from the bytes the store keeps. Used by {@link
 * KvStore#typed(Codec)}. Implementations must be thread-safe and must not keep references to the
 * arrays they are given.
 *
 * @param <T> the value type
 */
public interface Codec<T> {
  /** Encodes a value; must not return {@code null}. */
  byte[] encode(T value);

  /** Decodes bytes produced by {@link #encode}. */
  T decode(byte[] bytes);

  /** UTF-8 strings. */
  static Codec<String> utf8() {
    return Utf8Codec.INSTANCE;
  }
}

/** The UTF-8 string codec. */
enum Utf8Codec implements Codec<String> {
  INSTANCE;

  @Override
  public byte[] encode(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String decode(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
