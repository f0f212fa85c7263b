package io.kvstore.internal.partition;

/**
 * A stable 64-bit hash of a key's UTF-8 bytes: FNV-1a over the bytes, finished with MurmurHash3's
 * fmix64 so that every input bit reaches every output bit. Stable across JVMs and releases (it
 * decides where data lives), so it must never change; {@code String.hashCode} is not used because
 * it hashes UTF-16 units and mixes poorly.
 */
public final class KeyHash {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private KeyHash() {}

  /** Hash of the UTF-8 encoding of {@code key}, computed without allocating. */
  public static long hash64(String key) {
    long h = FNV_OFFSET;
    int n = key.length();
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c < 0x80) {
        h = (h ^ c) * FNV_PRIME;
      } else if (c < 0x800) {
        h = (h ^ (0xC0 | (c >> 6))) * FNV_PRIME;
        h = (h ^ (0x80 | (c & 0x3F))) * FNV_PRIME;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(key.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, key.charAt(++i));
        h = (h ^ (0xF0 | (cp >> 18))) * FNV_PRIME;
        h = (h ^ (0x80 | ((cp >> 12) & 0x3F))) * FNV_PRIME;
        h = (h ^ (0x80 | ((cp >> 6) & 0x3F))) * FNV_PRIME;
        h = (h ^ (0x80 | (cp & 0x3F))) * FNV_PRIME;
      } else {
        // Lone surrogates encode as '?' in Java's UTF-8 encoder; hash them the same way.
        int cu = Character.isSurrogate(c) ? '?' : c;
        if (cu < 0x80) {
          h = (h ^ cu) * FNV_PRIME;
        } else {
          h = (h ^ (0xE0 | (cu >> 12))) * FNV_PRIME;
          h = (h ^ (0x80 | ((cu >> 6) & 0x3F))) * FNV_PRIME;
          h = (h ^ (0x80 | (cu & 0x3F))) * FNV_PRIME;
        }
      }
    }
    return fmix64(h);
  }

  /** MurmurHash3's 64-bit finalizer. */
  public static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  /** The number of bytes of the UTF-8 encoding of {@code s}, without allocating. */
  public static int utf8Length(String s) {
    int n = s.length();
    int bytes = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += Character.isSurrogate(c) ? 1 : 3;
      }
    }
    return bytes;
  }
}
