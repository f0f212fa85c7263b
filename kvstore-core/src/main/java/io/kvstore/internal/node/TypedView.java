package io.kvstore.internal.node;

import io.kvstore.Codec;
import io.kvstore.KvStore;
import io.kvstore.TypedKvStore;
import io.kvstore.Versioned;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** {@link TypedKvStore} over the raw store and a codec. */
final class TypedView<T> implements TypedKvStore<T> {
  private final KvStore store;
  private final Codec<T> codec;

  TypedView(KvStore store, Codec<T> codec) {
    this.store = store;
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  private byte[] encode(T value) {
    return Objects.requireNonNull(codec.encode(Objects.requireNonNull(value, "value")), "codec returned null");
  }

  @Override
  public Optional<Versioned<T>> get(String key) {
    return store.get(key).map(v -> new Versioned<>(codec.decode(v.value()), v.version()));
  }

  @Override
  public long put(String key, T value) {
    return store.put(key, encode(value));
  }

  @Override
  public long put(String key, T value, Duration ttl) {
    return store.put(key, encode(value), ttl);
  }

  @Override
  public boolean delete(String key) {
    return store.delete(key);
  }

  @Override
  public boolean compareAndSet(String key, long expectedVersion, T newValue) {
    return store.compareAndSet(key, expectedVersion, encode(newValue));
  }

  @Override
  public long replace(String key, long expectedVersion, T newValue) {
    return store.replace(key, expectedVersion, encode(newValue));
  }

  @Override
  public boolean putIfAbsent(String key, T value) {
    return store.putIfAbsent(key, encode(value));
  }
}
